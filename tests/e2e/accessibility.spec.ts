import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { PAGES } from '../../site/content/site-pages.ts';

const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const ALL_PAGES = PAGES.map((page) => page.path);

for (const theme of ['light', 'dark'] as const) {
  test.describe(`axe, ${theme} theme`, () => {
    for (const path of ALL_PAGES) {
      test(`${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
        await page.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
        await page.goto(path);
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        // Expressive Code makes overflowing code blocks focusable from a ResizeObserver, debounced by
        // 250 ms and run when the browser is idle: wait for that, as a reader's page has it by then.
        // Code in a closed <details> (an exercise's solution) is not rendered and never observed.
        await page.waitForFunction(() =>
          [...document.querySelectorAll<HTMLElement>('.expressive-code pre')]
            .filter((pre) => pre.checkVisibility())
            .every((pre) => pre.scrollWidth <= pre.clientWidth || pre.tabIndex === 0),
        );
        const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA_TAGS).analyze();
        const summary = results.violations.map((violation) => ({
          rule: violation.id,
          targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
        }));
        expect(summary).toEqual([]);
      });
    }
  });
}
