import { expect, test } from '@playwright/test';
import { pagePath } from '../../site/content/site-pages.ts';

// The "Copy page as Markdown" control under each page title (site/components/PageTitle.astro).
test.describe('copy page as Markdown', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  const CASES = [
    {
      locale: 'en',
      button: 'Copy page as Markdown',
      copied: 'Copied the page as Markdown',
      heading: '# Volumes and data',
    },
    { locale: 'zh-cn', button: '复制为 Markdown', copied: '已复制本页的 Markdown', heading: '# 容器数据卷' },
  ] as const;

  for (const { locale, button, copied, heading } of CASES) {
    test(`copies the page's Markdown from the keyboard (${locale})`, async ({ page }) => {
      await page.goto(pagePath(locale, 'volumes'));
      const control = page.getByRole('button', { name: button });
      await control.focus();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('status').filter({ hasText: copied })).toBeVisible();
      const clipboard = await page.evaluate(() => navigator.clipboard.readText());
      expect(clipboard.startsWith(heading)).toBe(true);
      // The recorded output of the first runnable block is part of it.
      expect(clipboard).toMatch(
        locale === 'en' ? /Recorded output \(exit code \d+\):/ : /实际运行记录（退出码 \d+）：/,
      );
    });
  }

  test('the Markdown link serves the page as text/markdown', async ({ page }) => {
    await page.goto(pagePath('en', 'volumes'));
    const href = await page.getByRole('link', { name: 'View as Markdown' }).getAttribute('href');
    expect(href).toBe('/en/volumes/index.md');
    const response = await page.request.get(href ?? '');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/markdown');
    expect(await response.text()).toContain('# Volumes and data');
  });
});
