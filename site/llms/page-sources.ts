/**
 * What the Markdown endpoints read at build time: each page's MDX source converted to Markdown,
 * with the recorded outputs and benchmark figures the HTML page shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OverheadResults } from '../../bench-results/overhead-results.ts';
import type { Locale } from '../config/site-config.ts';
import { type ContentPage, PAGES, REPO_ROOT, SITE_CONFIG } from '../content/site-pages.ts';
import { mdxToMarkdown, type Recording } from './mdx-to-markdown.ts';

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as T;
}

export function pageMarkdown(page: ContentPage): string {
  return mdxToMarkdown({
    source: readFileSync(join(REPO_ROOT, page.file), 'utf8'),
    locale: page.locale,
    recordings: readJson<Record<string, Recording>>('content/recorded-outputs.json'),
    overhead: readJson<OverheadResults>('bench-results/overhead.json'),
  });
}

/** Where a page's Markdown is served: `index.md` next to its `index.html`. */
export function markdownPath(page: ContentPage): string {
  return `${page.path}index.md`;
}

/** The `[...prefix]` route parameter of a language: undefined for the language served at `/`. */
export function localePrefixParam(locale: Locale): string | undefined {
  return locale === SITE_CONFIG.languages[0] ? undefined : locale;
}

export { PAGES, SITE_CONFIG };
