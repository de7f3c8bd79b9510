import { readFileSync } from 'node:fs';
import { CHAPTER_SLUGS, type ChapterSlug, type Locale } from '../../site/chapters.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** The MDX source of a chapter (or the landing page) in one locale. */
export function readChapterSource(locale: Locale, slug: ChapterSlug | 'index'): string {
  const dir = locale === 'en' ? 'content/docs/en' : 'content/docs';
  return readFileSync(`${REPO_ROOT}${dir}/${slug}.mdx`, 'utf8');
}

export function readAllChapters(locale: Locale): Map<ChapterSlug, string> {
  return new Map(CHAPTER_SLUGS.map((slug) => [slug, readChapterSource(locale, slug)]));
}

export function readNotes(): string {
  return readFileSync(`${REPO_ROOT}content/source/docker-notes.zh.txt`, 'utf8');
}
