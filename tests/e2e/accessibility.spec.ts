import { expect, test } from '@playwright/test';
import { PAGES } from '../../site/content/site-pages.ts';
import { axeViolations } from './axe.ts';

const ALL_PAGES = PAGES.map((page) => page.path);

for (const theme of ['light', 'dark'] as const) {
  test.describe(`axe, ${theme} theme`, () => {
    for (const path of ALL_PAGES) {
      test(`${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
        await page.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
        await page.goto(path);
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        expect(await axeViolations(page)).toEqual([]);
      });
    }
  });
}
