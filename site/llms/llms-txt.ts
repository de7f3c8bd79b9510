/**
 * `/llms.txt` (and `/en/llms.txt`): the llms.txt index of one language: the site's name and
 * summary, then its pages by sidebar section, each linking to the page's Markdown.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import type { Locale } from '../config/site-config.ts';
import { markdownStrings } from './markdown-strings.ts';
import { localePrefixParam, markdownPath, PAGES, SITE_CONFIG } from './page-sources.ts';

export const getStaticPaths = (() =>
  SITE_CONFIG.languages.map((locale) => ({
    params: { prefix: localePrefixParam(locale) },
    props: { locale },
  }))) satisfies GetStaticPaths;

export function llmsTxt(locale: Locale): string {
  const pages = PAGES.filter((page) => page.locale === locale);
  const landing = pages.find((page) => page.slug === 'index');
  const link = (page: (typeof pages)[number]) =>
    `- [${page.title}](${markdownPath(page)}): ${page.description}`;
  const sections = SITE_CONFIG.sections
    .map((section) => ({
      label: section.label[locale] ?? section.id,
      pages: pages.filter((page) => page.section === section.id),
    }))
    .filter((section) => section.pages.length > 0)
    .map((section) => `## ${section.label}\n\n${section.pages.map(link).join('\n')}\n`);
  const others = pages.filter((page) => page.section === undefined);
  return [
    `# ${SITE_CONFIG.title[locale] ?? ''}`,
    '',
    ...(landing ? [`> ${landing.description}`, ''] : []),
    ...sections,
    ...(others.length > 0
      ? [`## ${markdownStrings(locale).pagesHeading}\n\n${others.map(link).join('\n')}\n`]
      : []),
  ].join('\n');
}

export const GET: APIRoute<{ locale: Locale }> = ({ props }) =>
  new Response(llmsTxt(props.locale), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
