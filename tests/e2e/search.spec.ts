import { expect, type Page, test } from '@playwright/test';
import { type Locale, pagePath } from '../../site/content/site-pages.ts';

// Real queries through Starlight's search box (Pagefind), each with the page
// (a chapter or a reference page) that must be among the first three results. Pagefind segments Chinese at index
// time and at query time separately (upstream issue #1237), so only a real
// search in the browser proves a term is findable.
const QUERIES: Array<{ locale: Locale; query: string; chapter: string }> = [
  { locale: 'zh-cn', query: '数据卷', chapter: 'volumes' },
  { locale: 'zh-cn', query: '镜像与仓库', chapter: 'images-registries' },
  { locale: 'zh-cn', query: '容器网络', chapter: 'networking' },
  { locale: 'zh-cn', query: 'depends_on', chapter: 'compose' },
  { locale: 'zh-cn', query: '重启策略', chapter: 'operations' },
  { locale: 'zh-cn', query: 'no-new-privileges', chapter: 'security' },
  { locale: 'zh-cn', query: '容器', chapter: 'commands' },
  { locale: 'zh-cn', query: '端口映射', chapter: 'commands' },
  { locale: 'zh-cn', query: '联合文件系统', chapter: 'architecture' },
  { locale: 'zh-cn', query: 'ENTRYPOINT', chapter: 'dockerfile' },
  { locale: 'zh-cn', query: '--volumes-from', chapter: 'volumes' },
  { locale: 'zh-cn', query: 'docker logs', chapter: 'commands' },
  { locale: 'zh-cn', query: '--gpus', chapter: 'nvidia' },
  { locale: 'zh-cn', query: '性能损失', chapter: 'performance' },
  { locale: 'zh-cn', query: '术语表', chapter: 'glossary' },
  { locale: 'zh-cn', query: '速查表', chapter: 'cheatsheet' },
  { locale: 'zh-cn', query: 'port is already allocated', chapter: 'errors' },
  { locale: 'zh-cn', query: '镜像加速器', chapter: 'china' },
  { locale: 'en', query: 'named volume', chapter: 'volumes' },
  { locale: 'en', query: 'union filesystem', chapter: 'architecture' },
  { locale: 'en', query: 'port mapping', chapter: 'commands' },
  { locale: 'en', query: 'ENTRYPOINT', chapter: 'dockerfile' },
  { locale: 'en', query: '--volumes-from', chapter: 'volumes' },
  { locale: 'en', query: 'docker logs', chapter: 'commands' },
  { locale: 'en', query: '--gpus', chapter: 'nvidia' },
  { locale: 'en', query: 'registry mirror', chapter: 'install' },
  { locale: 'en', query: 'Tomcat', chapter: 'services' },
  { locale: 'en', query: 'overhead', chapter: 'performance' },
  { locale: 'en', query: 'glossary', chapter: 'glossary' },
  { locale: 'en', query: 'cheat sheet', chapter: 'cheatsheet' },
  { locale: 'en', query: 'the input device is not a TTY', chapter: 'errors' },
  { locale: 'en', query: 'dockerd proxy', chapter: 'china' },
  { locale: 'en', query: 'user-defined network', chapter: 'networking' },
  { locale: 'en', query: 'depends_on', chapter: 'compose' },
  { locale: 'en', query: 'multi-stage build', chapter: 'images-registries' },
  { locale: 'en', query: 'restart policy', chapter: 'operations' },
  { locale: 'en', query: 'no-new-privileges', chapter: 'security' },
];

async function search(page: Page, query: string): Promise<void> {
  await page.locator('site-search button[data-open-modal]').click();
  await page.locator('dialog[open] input.pagefind-ui__search-input').fill(query);
}

/** Page paths of the first three results. One .pagefind-ui__result per page;
 *  its title link is the page, nested links point at headings in it. Results
 *  render progressively, so a link may not have its href yet. */
async function topResultPaths(page: Page): Promise<string[]> {
  const hrefs = await page.locator('dialog[open] .pagefind-ui__result').evaluateAll((results) =>
    results.map((result) => {
      const pageLink = [...result.querySelectorAll('.pagefind-ui__result-link')].find(
        (link) => !link.closest('.pagefind-ui__result-nested'),
      );
      return pageLink?.getAttribute('href') ?? '';
    }),
  );
  return hrefs.slice(0, 3).map((href) => new URL(href, 'http://site').pathname);
}

// Pagefind fetches its index fragments on demand: on a loaded 2-core machine a search took
// over 15 s to show its results, so the waits below are generous.
for (const { locale, query, chapter } of QUERIES) {
  test(`searching "${query}" (${locale}) finds ${chapter} in the top three`, async ({ page }) => {
    await page.goto(pagePath(locale, 'index'));
    await search(page, query);
    await expect.poll(() => topResultPaths(page), { timeout: 40_000 }).toContain(pagePath(locale, chapter));
  });
}

// The search dialog's own words come from Starlight's translations (content/i18n/): on a Chinese
// page the result count must be Chinese, not Pagefind's English default.
const RESULT_MESSAGES: Array<{ locale: Locale; query: string; message: RegExp; clear: string }> = [
  { locale: 'zh-cn', query: '数据卷', message: /^找到 \d+ 个与 数据卷 相关的结果$/, clear: '清除' },
  { locale: 'en', query: 'named volume', message: /^\d+ results? for named volume$/, clear: 'Clear' },
];

for (const { locale, query, message, clear } of RESULT_MESSAGES) {
  test(`the search dialog speaks the page's language (${locale})`, async ({ page }) => {
    await page.goto(pagePath(locale, 'volumes'));
    await search(page, query);
    await expect(page.locator('dialog[open] .pagefind-ui__message')).toHaveText(message, { timeout: 40_000 });
    await expect(page.locator('dialog[open] .pagefind-ui__search-clear')).toHaveText(clear);
  });
}
