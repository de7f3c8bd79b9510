/**
 * The exercises as a reader meets them, with the keyboard alone, against the real sandbox: Check
 * fails on a fresh page with the verify script's hint, Show solution → Run → Check passes, and the
 * progress is still shown (on the page and in the sidebar) after a reload. Both languages.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import { axeViolations } from './axe.ts';

/** A playground is created on the first check; on a busy machine that and a run take a while. */
const SANDBOX_TIMEOUT_MS = 120_000;

const LANGUAGES = [
  {
    path: '/en/architecture/',
    sidebarLink: 'Architecture',
    check: 'Check',
    showSolution: 'Show solution',
    run: 'Run',
    hint: 'There is no image my-busybox:v1 yet',
    passed: 'Passed: the task is done.',
    solved: 'Solved',
    pageProgress: 'Exercises on this page solved: 1 of 2.',
    sidebarProgress: 'exercises solved: 1 of 2',
  },
  {
    path: '/architecture/',
    sidebarLink: 'Docker 架构',
    check: '检查',
    showSolution: '显示答案',
    run: '运行',
    hint: '还没有镜像 my-busybox:v1',
    passed: '通过：任务已完成。',
    solved: '已完成',
    pageProgress: '本页练习已完成 1/2。',
    sidebarProgress: '练习已完成 1/2',
  },
] as const;

/** Presses Tab until `target` has the focus, as a keyboard user moves through the page. */
async function tabTo(page: Page, target: Locator, maxPresses = 12): Promise<void> {
  for (let press = 0; press < maxPresses; press++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

for (const language of LANGUAGES) {
  test.describe(`exercise on ${language.path}`, () => {
    test.setTimeout(6 * SANDBOX_TIMEOUT_MS);

    test('Check fails untouched, passes after the solution, and the progress survives a reload', async ({
      page,
    }) => {
      await page.goto(language.path);
      const exercise = page.locator('dockyard-exercise[data-id="architecture-tag-image"]');
      const check = exercise.getByRole('button', { name: new RegExp(`^${language.check}`) });
      const result = exercise.getByRole('status');
      const solution = exercise.locator('details.ex-solution');
      const summary = solution.getByText(language.showSolution, { exact: true });
      await expect(exercise.locator('.ex-solved')).toBeHidden();
      await expect(page.locator('.ex-page-progress')).toHaveText(language.pageProgress.replace('1', '0'));

      // The exercise's heading is a reader's landmark; from there on, only the keyboard.
      await exercise.getByRole('heading').scrollIntoViewIfNeeded();
      await check.focus();
      await page.keyboard.press('Enter');
      await expect(result).toContainText(language.hint, { timeout: SANDBOX_TIMEOUT_MS });
      await expect(result).toHaveAttribute('data-state', 'failed');

      await tabTo(page, summary);
      await page.keyboard.press('Enter');
      await expect(solution).toHaveAttribute('open', '');
      const run = solution.getByRole('button', { name: language.run, exact: true });
      await tabTo(page, run);
      await page.keyboard.press('Enter');
      await expect(solution.locator('.rb-status')).toContainText(/exit code 0|退出码 0/, {
        timeout: SANDBOX_TIMEOUT_MS,
      });

      await check.focus();
      await page.keyboard.press('Space');
      await expect(result).toHaveText(language.passed, { timeout: SANDBOX_TIMEOUT_MS });
      await expect(exercise.locator('.ex-solved')).toBeVisible();
      const sidebarLink = page.locator('.sidebar-content a', { hasText: language.sidebarLink }).first();
      await expect(sidebarLink.locator('.ex-progress')).toContainText(language.sidebarProgress);

      await page.reload();
      await expect(page.locator('.ex-page-progress')).toHaveText(language.pageProgress);
      await expect(exercise.locator('.ex-solved')).toBeVisible();
      await expect(exercise.locator('.ex-solved')).toContainText(language.solved);
      await expect(sidebarLink.locator('.ex-progress')).toContainText('1/2');
      // Only the solved one: the other exercise of the page is still to do.
      await expect(
        page.locator('dockyard-exercise[data-id="architecture-redis-ping"] .ex-solved'),
      ).toBeHidden();
    });
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`an exercise with its result and open solution has no WCAG 2.2 AA violations (${theme}, phone width)`, async ({
    page,
  }) => {
    test.setTimeout(3 * SANDBOX_TIMEOUT_MS);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.addInitScript((chosen) => {
      localStorage.setItem('starlight-theme', chosen);
      localStorage.setItem(
        'dockyard.exercises.solved',
        JSON.stringify({ 'volumes-survive-rm': new Date(0).toISOString() }),
      );
    }, theme);
    await page.goto('/en/volumes/');
    const exercise = page.locator('dockyard-exercise[data-id="volumes-nginx-own-page"]');
    await exercise.getByRole('button', { name: /^Check/ }).click();
    await expect(exercise.getByRole('status')).toContainText('Not yet.', { timeout: SANDBOX_TIMEOUT_MS });
    await exercise.locator('details.ex-solution summary').click();
    await expect(exercise.locator('details.ex-solution run-block .rb-toolbar')).toBeVisible();
    await expect(page.locator('dockyard-exercise[data-id="volumes-survive-rm"] .ex-solved')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axeViolations(page, 'dockyard-exercise')).toEqual([]);
  });
}
