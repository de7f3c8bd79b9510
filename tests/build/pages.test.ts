import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { listHtmlPages, readPage } from '../../scripts/lib/dist-pages.ts';
import { CHAPTER_SLUGS, LOCALES, pagePath } from '../../site/chapters.ts';

const EXPECTED_PAGES = LOCALES.flatMap((locale) =>
  (['index', ...CHAPTER_SLUGS] as const).map((slug) => ({ locale, slug, path: pagePath(locale, slug) })),
);

describe('the built site', () => {
  it('has exactly the twenty handbook pages plus the 404 page', () => {
    const pages = listHtmlPages().filter((path) => path !== '/404.html');
    expect(pages).toEqual(EXPECTED_PAGES.map((page) => page.path).sort());
  });

  it.each(EXPECTED_PAGES)('$path is in its own language with a title and content', ({ locale, path }) => {
    const root = parse(readPage(path));
    expect(root.querySelector('html')?.getAttribute('lang')).toBe(locale === 'en' ? 'en' : 'zh-CN');
    expect(root.querySelector('h1')?.text.trim()).not.toBe('');
    expect(root.querySelector('main')?.text.trim().length).toBeGreaterThan(200);
  });

  it.each(EXPECTED_PAGES.filter((page) => page.slug !== 'index'))(
    '$path lists every chapter in the sidebar in reading order',
    ({ locale, path }) => {
      const sidebarLinks = parse(readPage(path))
        .querySelectorAll('nav[aria-label] .sidebar-content a')
        .map((link) => link.getAttribute('href'));
      expect(sidebarLinks).toEqual(CHAPTER_SLUGS.map((slug) => pagePath(locale, slug)));
    },
  );
});
