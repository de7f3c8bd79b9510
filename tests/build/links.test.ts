import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { fileForSitePath, listHtmlPages, readPage } from '../../scripts/lib/dist-pages.ts';

// A link checker over dist/: every internal href/src of every page resolves to a
// file, and every #fragment to an element id on the target page.
const SITE_ORIGIN = 'https://dockyard.example';

function internalTargets(pagePath: string, html: string): string[] {
  const root = parse(html);
  const attributes = [
    ...root.querySelectorAll('a[href]').map((element) => element.getAttribute('href')),
    ...root.querySelectorAll('link[href]').map((element) => element.getAttribute('href')),
    ...root.querySelectorAll('script[src], img[src]').map((element) => element.getAttribute('src')),
  ];
  return attributes
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .map((value) => new URL(value, `${SITE_ORIGIN}${pagePath}`))
    .filter((url) => url.origin === SITE_ORIGIN)
    .map((url) => `${url.pathname}${url.hash}`);
}

function idsOf(html: string): Set<string> {
  return new Set(
    parse(html)
      .querySelectorAll('[id]')
      .map((element) => element.id),
  );
}

// The 404 page's language picker points at per-locale 404 routes that a static
// host answers with 404.html anyway; it is not a page a reader navigates from.
const pages = listHtmlPages().filter((path) => path !== '/404.html');

describe('internal links', () => {
  it.each(pages)('every internal link on %s resolves', (pagePath) => {
    const broken: string[] = [];
    for (const target of internalTargets(pagePath, readPage(pagePath))) {
      const [path = '/', fragment] = target.split('#');
      const file = fileForSitePath(path);
      if (!file) {
        broken.push(target);
        continue;
      }
      if (fragment && file.endsWith('.html') && !idsOf(readPage(path)).has(decodeURIComponent(fragment))) {
        broken.push(target);
      }
    }
    expect(broken).toEqual([]);
  });
});
