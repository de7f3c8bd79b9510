/**
 * The handbook's chapters in reading order. Slugs are fixed: tests, links and
 * the sidebar rely on them.
 */
export const CHAPTER_SLUGS = [
  'purpose',
  'architecture',
  'install',
  'commands',
  'volumes',
  'dockerfile',
  'services',
  'nvidia',
  'performance',
  'compose',
  'operations',
  'security',
] as const;

export type ChapterSlug = (typeof CHAPTER_SLUGS)[number];

/** Root locale (Simplified Chinese, served at `/`) and English (served at `/en/`). */
export const LOCALES = ['zh-cn', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** URL path of a page (`index` is the landing page) in a locale. */
export function pagePath(locale: Locale, slug: ChapterSlug | 'index'): string {
  const prefix = locale === 'en' ? '/en/' : '/';
  return slug === 'index' ? prefix : `${prefix}${slug}/`;
}
