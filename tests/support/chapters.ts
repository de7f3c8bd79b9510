import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Locale, pagesIn, REPO_ROOT } from '../../site/content/site-pages.ts';

/** The MDX sources of the handbook's chapters (section `handbook`) in one locale, by slug. */
export function readAllChapters(locale: Locale): Map<string, string> {
  return new Map(
    pagesIn(locale)
      .filter((page) => page.section === 'handbook')
      .map((page) => [page.slug, readFileSync(join(REPO_ROOT, page.file), 'utf8')]),
  );
}

export function readNotes(): string {
  return readFileSync(join(REPO_ROOT, 'content/source/docker-notes.zh.txt'), 'utf8');
}
