/**
 * Starlight's sidebar from the discovered pages: one group per configured section that has
 * pages, in config order, each page at its `sidebar.order`. A site whose pages all sit in one
 * section gets a flat list.
 */
import { localeInfo, type SiteConfig } from '../config/site-config.ts';
import type { ContentPage } from './pages.ts';

type SidebarItem = string | { label: string; translations: Record<string, string>; items: string[] };

export function buildSidebar(pages: readonly ContentPage[], config: SiteConfig): SidebarItem[] {
  const [defaultLocale] = config.languages;
  const sidebarPages = pages.filter((page) => page.locale === defaultLocale && page.section !== undefined);
  const groups = config.sections
    .map((section) => ({
      section,
      slugs: sidebarPages.filter((page) => page.section === section.id).map((page) => page.slug),
    }))
    .filter((group) => group.slugs.length > 0);
  if (groups.length === 1) return groups[0]?.slugs ?? [];
  return groups.map(({ section, slugs }) => ({
    label: defaultLocale ? (section.label[defaultLocale] ?? section.id) : section.id,
    translations: Object.fromEntries(
      config.languages
        .slice(1)
        .map((locale) => [localeInfo(locale).lang, section.label[locale] ?? section.id]),
    ),
    items: slugs,
  }));
}
