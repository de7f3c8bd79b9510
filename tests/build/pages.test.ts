import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { listHtmlPages, readPage } from '../../scripts/lib/dist-pages.ts';
import { localeInfo } from '../../site/config/site-config.ts';
import { LOCALES, PAGES, SITE_CONFIG, sidebarPagesIn } from '../../site/content/site-pages.ts';

// The pages are whatever content/docs holds (site/content/pages.ts), so new chapters and a
// team's own pages need no change here.
describe('the built site', () => {
  it('has exactly the pages of content/docs plus the 404 page', () => {
    const pages = listHtmlPages().filter((path) => path !== '/404.html');
    expect(pages).toEqual(PAGES.map((page) => page.path).sort());
    expect(pages.length).toBeGreaterThanOrEqual(2 * LOCALES.length);
  });

  it.each(PAGES)('$path is in its own language with a title and content', ({ locale, path, title }) => {
    const root = parse(readPage(path));
    expect(root.querySelector('html')?.getAttribute('lang')).toBe(localeInfo(locale).lang);
    expect(root.querySelector('h1')?.text.trim()).not.toBe('');
    expect(root.querySelector('title')?.text).toContain(title);
    expect(root.querySelector('main')?.text.trim().length).toBeGreaterThan(200);
  });

  it.each(PAGES.filter((page) => page.slug !== 'index'))(
    '$path lists every page of its language in the sidebar in section and reading order',
    ({ locale, path }) => {
      const sidebar = parse(readPage(path)).querySelector('nav[aria-label] .sidebar-content');
      const links = sidebar?.querySelectorAll('a').map((link) => link.getAttribute('href'));
      expect(links).toEqual(sidebarPagesIn(locale).map((page) => page.path));
      const groups = sidebar?.querySelectorAll('details summary').map((summary) => summary.text.trim());
      const sectionsWithPages = SITE_CONFIG.sections.filter((section) =>
        sidebarPagesIn(locale).some((page) => page.section === section.id),
      );
      expect(groups).toEqual(sectionsWithPages.map((section) => section.label[locale]));
    },
  );
});
