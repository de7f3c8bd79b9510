import { expect, test } from '@playwright/test';
import { localeInfo } from '../../site/config/site-config.ts';
import { PAGES, pagePath, pagesIn } from '../../site/content/site-pages.ts';

/** Pages that exist in both languages (the language switch goes between them). */
const TRANSLATED_SLUGS = pagesIn('zh-cn')
  .map((page) => page.slug)
  .filter((slug) => slug !== 'index' && pagesIn('en').some((page) => page.slug === slug));

test.describe('every page renders', () => {
  for (const { locale, path } of PAGES) {
    test(`${path} renders without console errors`, async ({ page }) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      const response = await page.goto(path);
      expect(response?.status()).toBe(200);
      await expect(page.locator('html')).toHaveAttribute('lang', localeInfo(locale).lang);
      await expect(page.locator('h1').first()).toBeVisible();
      expect(errors).toEqual([]);
    });
  }
});

test.describe('language switch', () => {
  for (const slug of TRANSLATED_SLUGS) {
    test(`goes between /${slug}/ and /en/${slug}/`, async ({ page }) => {
      await page.goto(pagePath('zh-cn', slug));
      const picker = page.locator('starlight-lang-select select').first();
      await picker.selectOption({ label: 'English' });
      await page.waitForURL((url) => url.pathname === `/en/${slug}/`);
      await page.locator('starlight-lang-select select').first().selectOption({ label: '简体中文' });
      // Wait on the exact path: a pattern ending in `/${slug}/` also matches the English page
      // the browser is still on, so it would pass before the switch has navigated.
      await page.waitForURL((url) => url.pathname === `/${slug}/`);
      await expect(page.locator('html')).toHaveAttribute('lang', localeInfo('zh-cn').lang);
    });
  }
});

test.describe('dark mode', () => {
  test('the theme picker switches the page to dark colours and it persists', async ({ page }) => {
    await page.goto(pagePath('zh-cn', 'commands'));
    await page.locator('starlight-theme-select select').first().selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [red = 255, green = 255, blue = 255] = (background.match(/\d+/g) ?? []).map(Number);
    expect(red + green + blue).toBeLessThan(3 * 80);
    await page.goto(pagePath('en', 'volumes'));
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  });
});

test.describe('mobile width', () => {
  test.use({ viewport: { width: 360, height: 740 } });
  for (const { path } of PAGES) {
    test(`${path} has no horizontal scroll at 360 px`, async ({ page }) => {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }
});
