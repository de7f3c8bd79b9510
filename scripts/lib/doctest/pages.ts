/** The pages whose runnable blocks the doc-tests run: every chapter and the landing page, both languages. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAPTER_SLUGS, type ChapterSlug, LOCALES, type Locale } from '../../../site/chapters.ts';
import {
  extractFences,
  extractRunnableBlocks,
  type Fence,
  type InvalidBlock,
  isMarkedTerminal,
  type RunnableBlock,
} from '../../../site/runnable-blocks.ts';

export type PageSlug = ChapterSlug | 'index';

export interface Page {
  readonly locale: Locale;
  readonly slug: PageSlug;
  /** Path relative to the repository root, for messages. */
  readonly file: string;
  readonly blocks: readonly RunnableBlock[];
  readonly invalid: readonly InvalidBlock[];
  /** Blocks marked `terminal`: typed into a terminal by a script (terminal-scripts.ts). */
  readonly terminalBlocks: readonly Fence[];
}

export interface PageFilter {
  readonly slugs?: readonly string[];
  readonly locales?: readonly string[];
}

export function pageFile(locale: Locale, slug: PageSlug): string {
  return locale === 'en' ? `content/docs/en/${slug}.mdx` : `content/docs/${slug}.mdx`;
}

export function loadPages(repoRoot: string, filter: PageFilter = {}): Page[] {
  const pages: Page[] = [];
  for (const locale of LOCALES) {
    if (filter.locales && !filter.locales.includes(locale)) continue;
    for (const slug of ['index', ...CHAPTER_SLUGS] as const) {
      if (filter.slugs && !filter.slugs.includes(slug)) continue;
      const file = pageFile(locale, slug);
      if (!existsSync(join(repoRoot, file))) continue;
      const source = readFileSync(join(repoRoot, file), 'utf8');
      const { blocks, invalid } = extractRunnableBlocks(source);
      const terminalBlocks = extractFences(source).filter((fence) => isMarkedTerminal(fence.meta));
      pages.push({ locale, slug, file, blocks, invalid, terminalBlocks });
    }
  }
  return pages;
}
