/** The pages whose runnable blocks the doc-tests run: every page of content/docs in every configured language. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import config from '../../../dockyard.config.ts';
import type { Locale } from '../../../site/config/site-config.ts';
import { loadContent } from '../../../site/content/pages.ts';
import {
  extractRunnableBlocks,
  type InvalidBlock,
  type RunnableBlock,
} from '../../../site/runnable-blocks.ts';

export interface Page {
  readonly locale: Locale;
  readonly slug: string;
  /** Path relative to the repository root, for messages. */
  readonly file: string;
  readonly blocks: readonly RunnableBlock[];
  readonly invalid: readonly InvalidBlock[];
}

export interface PageFilter {
  readonly slugs?: readonly string[];
  readonly locales?: readonly string[];
}

export function loadPages(repoRoot: string, filter: PageFilter = {}): Page[] {
  return loadContent(repoRoot, config)
    .filter((page) => !filter.locales || filter.locales.includes(page.locale))
    .filter((page) => !filter.slugs || filter.slugs.includes(page.slug))
    .map(({ locale, slug, file }) => {
      const { blocks, invalid } = extractRunnableBlocks(readFileSync(join(repoRoot, file), 'utf8'));
      return { locale, slug, file, blocks, invalid };
    });
}
