import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface Violation {
  rule: string;
  targets: string[];
}

/**
 * WCAG 2.2 AA violations on the page, or only within `selector`, summarised so a failing
 * `expect(…).toEqual([])` names the rule and the first elements.
 *
 * Expressive Code makes overflowing code blocks focusable from a ResizeObserver, debounced and run
 * when the browser is idle: this waits for that first, as a reader's page has it by then. Code in a
 * closed <details> (an exercise's solution) is not rendered and never observed.
 */
export async function axeViolations(page: Page, selector?: string): Promise<Violation[]> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('.expressive-code pre')]
      .filter((pre) => pre.checkVisibility())
      .every((pre) => pre.scrollWidth <= pre.clientWidth || pre.tabIndex === 0),
  );
  const builder = new AxeBuilder({ page }).withTags(WCAG_22_AA_TAGS);
  const results = await (selector ? builder.include(selector) : builder).analyze();
  return results.violations.map((violation) => ({
    rule: violation.id,
    targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
  }));
}
