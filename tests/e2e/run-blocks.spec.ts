import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import {
  block,
  collectErrors,
  editCode,
  expectPlaygroundStateAndReset,
  panel,
  press,
  runAndWait,
} from './run-block-helpers.ts';

// The Run buttons against the real server (playwright.config.ts starts it): real shell
// sandboxes, a real Docker playground. Blocks are picked by their code (data-code), not
// by position, so chapters can change around them.

const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
// The stopped run sleeps 100 s: "Stopped" well before that can only come from Stop.
// How fast Stop is belongs to a benchmark, not to a timed assertion on a shared machine.
const LONG_RUN_SECONDS = 100;
const STOPPED_WITHIN_MS = 20_000;

const NPROC_BLOCK = 'nproc';

test.describe('shell blocks', () => {
  test('Run shows the real output of a shell block', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    const output = await runAndWait(target);
    await expect(output.locator('.rb-output')).toContainText(/nproc: \d+/);
    await expect(output.locator('.rb-status')).toContainText('Finished, exit code 0');
    await expect(output).toHaveAttribute('aria-label', /^Output of /);
    expect(errors).toEqual([]);
  });

  test('Copy output copies the plain text of the output', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    await editCode(page, target, "printf '\\033[32mgreen\\033[0m\\n'; echo oops >&2");
    await page.keyboard.press('Escape');
    await runAndWait(target);
    await press(target, 'Copy output');
    await expect(target.locator('.rb-live')).toHaveText('Output copied.');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.split('\n').sort()).toEqual(['green', 'oops']);
  });

  test('an edited block runs the edited code, and Reset restores the original', async ({ page }) => {
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    const original = await target.locator('pre code').textContent();
    await editCode(page, target, 'echo "edited $((6 * 7))"\necho "to stderr" >&2');
    await page.keyboard.press('ControlOrMeta+Enter');
    const output = panel(target);
    await expect(output.locator('.rb-status')).toContainText('exit code 0', { timeout: 30_000 });
    await expect(output.locator('.rb-stdout')).toHaveText('edited 42');
    await expect(output.locator('.rb-stderr')).toContainText('to stderr');
    await expect(output.locator('.rb-legend')).toBeVisible();

    await page.keyboard.press('Escape');
    await expect(target.getByRole('button', { name: 'Edit' })).toBeFocused();
    await expect(target.getByRole('button', { name: 'Edit' })).toHaveAttribute('aria-pressed', 'false');
    await press(target, 'Reset code');
    await expect.poll(() => target.locator('pre code').textContent()).toBe(original);
    await expect(target.getByRole('button', { name: 'Reset code' })).toBeHidden();
    await expect(target.locator('.rb-live')).toHaveText('Code restored to the original.');
  });

  test('Stop ends a long run, and focus goes back to Run', async ({ page }) => {
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    await editCode(page, target, `echo started\nsleep ${LONG_RUN_SECONDS}`);
    await press(target, 'Run');
    await expect(panel(target).locator('.rb-output')).toContainText('started', { timeout: 30_000 });
    const stop = target.getByRole('button', { name: 'Stop' });
    await stop.focus();
    await stop.click();
    await expect(panel(target).locator('.rb-status')).toContainText('Stopped', {
      timeout: STOPPED_WITHIN_MS,
    });
    // Focus does not vanish with the Stop button: it goes back to Run.
    await expect(target.getByRole('button', { name: 'Run' })).toBeFocused();
    await expect(target.locator('.rb-live')).toContainText('Stopped');
  });

  test('runs with the keyboard alone', async ({ page }) => {
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    // Start from the block's copy button, just before the toolbar in tab order.
    await target.locator('figure .copy button').focus();
    await page.keyboard.press('Tab');
    await expect(target.getByRole('button', { name: 'Run' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(panel(target).locator('.rb-status')).toContainText('exit code 0', { timeout: 30_000 });

    await page.keyboard.press('Tab');
    await expect(target.getByRole('button', { name: 'Edit' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(target.getByRole('textbox')).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText('echo typed with the keyboard');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(panel(target).locator('.rb-output')).toHaveText('typed with the keyboard', {
      timeout: 30_000,
    });
    // Tab leaves the editor (no focus trap), Escape hands focus back to Edit.
    await page.keyboard.press('Escape');
    await expect(target.getByRole('button', { name: 'Edit' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(target.getByRole('button', { name: 'Run' })).toBeFocused();
  });

  test('the Chinese page speaks Chinese', async ({ page }) => {
    await page.goto('/performance/');
    const target = block(page, NPROC_BLOCK, true);
    const output = await runAndWait(target, '运行');
    await expect(output.locator('.rb-status')).toContainText('运行结束，退出码 0');
    await expect(target.locator('.rb-live')).toContainText('退出码 0');
  });
});

test.describe('docker blocks', () => {
  test('docker run hello-world shows the greeting', async ({ page }) => {
    await page.goto('/en/');
    const output = await runAndWait(block(page, 'docker run --rm hello-world'));
    // The catalog's hello-world is built locally: it greets from Dockyard, not from Docker Hub.
    await expect(output.locator('.rb-output')).toContainText(/Hello from Dock(?:er|yard)!/);
  });

  test('state carries across the blocks of a page', async ({ page }) => {
    await page.goto('/en/commands/');
    const started = await runAndWait(block(page, 'docker run -d --name ticker busybox sh -c', true));
    await expect(started.locator('.rb-output')).toContainText(/^[0-9a-f]{64}$/m);
    const listed = await runAndWait(block(page, 'docker ps'));
    await expect(listed.locator('.rb-output')).toContainText('ticker');
  });

  test('Reset playground starts the next run in a fresh playground', async ({ page }) => {
    await page.goto('/en/commands/');
    await expectPlaygroundStateAndReset(page);
  });
});

test.describe('playground sessions', () => {
  test('an expired playground is replaced and the reader is told why', async ({ page, request }) => {
    const sessionIds: string[] = [];
    page.on('response', async (response) => {
      if (response.request().method() === 'POST' && response.url().endsWith('/api/sessions')) {
        sessionIds.push(((await response.json()) as { id: string }).id);
      }
    });
    await page.goto('/en/commands/');
    await runAndWait(block(page, 'docker run -d --name ticker busybox sh -c', true));
    expect(sessionIds).toHaveLength(1);
    // The server forgets the session (as when it expires while the reader is away).
    expect((await request.delete(`/api/sessions/${sessionIds[0]}`)).status()).toBe(204);
    const list = block(page, 'docker ps');
    const output = await runAndWait(list);
    await expect(output.locator('.rb-notice')).toContainText('Your playground had expired');
    await expect(output.locator('.rb-output')).not.toContainText('ticker');
    expect(sessionIds).toHaveLength(2);
  });
});

test.describe('when the sandbox is unavailable', () => {
  test('an unreachable sandbox: the block stays usable, the panel says why and shows the known output', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.goto('/en/commands/');
    const target = block(page, 'docker rmi my-busybox:v1');
    await target.scrollIntoViewIfNeeded();
    await press(target, 'Run');
    const output = panel(target);
    await expect(output.locator('.rb-notice')).toContainText('cannot be reached');
    await expect(output.locator('.rb-known-label')).toContainText('not from a live run');
    await expect(output.locator('.rb-output')).toContainText('Untagged: my-busybox:v1');
    await expect(output).toHaveAttribute('data-known', /recorded|expected/);
    await expect(target.locator('.rb-live')).toContainText('cannot be reached');
    // Still readable, copyable and runnable again.
    await expect(target.locator('pre code')).toContainText('docker rmi my-busybox:v1');
    await expect(target.getByRole('button', { name: 'Run' })).toBeEnabled();
    expect(errors).toEqual([]);
  });

  test('a static host without the API (404 page) counts as unreachable', async ({ page }) => {
    const errors = collectErrors(page);
    await page.route('**/api/**', (route) =>
      route.fulfill({ status: 404, contentType: 'text/html', body: '<h1>404</h1>' }),
    );
    await page.goto('/performance/');
    const target = block(page, NPROC_BLOCK, true);
    await target.scrollIntoViewIfNeeded();
    await press(target, '运行');
    await expect(panel(target).locator('.rb-notice')).toContainText('连不上运行示例的沙箱');
    expect(errors).toEqual([]);
  });

  test('a busy sandbox says when to try again', async ({ page }) => {
    await page.route('**/api/run', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '7' },
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: 'too many runs' }),
      }),
    );
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    await target.scrollIntoViewIfNeeded();
    await press(target, 'Run');
    await expect(panel(target).locator('.rb-notice')).toHaveText(/busy.*Try again in 7 s/);
  });

  test('an engine that is down is explained as such', async ({ page }) => {
    await page.route('**/api/run', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'engine unreachable',
        }),
      }),
    );
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    await target.scrollIntoViewIfNeeded();
    await press(target, 'Run');
    await expect(panel(target).locator('.rb-notice')).toContainText('cannot run examples right now');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('a runnable block is a plain, copyable code block with no dead buttons', async ({ page }) => {
    await page.goto('/en/performance/');
    const target = block(page, NPROC_BLOCK, true);
    await expect(target.locator('pre code')).toContainText('nproc');
    await expect(target.getByRole('button', { name: 'Run' })).toBeHidden();
    await expect(target.locator('.rb-toolbar')).toBeHidden();
  });
});

test.describe('accessibility with an output panel open', () => {
  for (const theme of ['light', 'dark'] as const) {
    for (const { path, run } of [
      { path: '/en/performance/', run: 'Run' },
      { path: '/performance/', run: '运行' },
    ]) {
      test(`${path}, ${theme} theme: no WCAG 2.2 AA violations`, async ({ page }) => {
        await page.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
        await page.goto(path);
        const target = block(page, NPROC_BLOCK, true);
        await press(target, page.url().includes('/en/') ? 'Edit' : '编辑');
        await page.keyboard.press('ControlOrMeta+a');
        // stdout, stderr and every basic ANSI colour, so contrast is checked for all of them.
        await page.keyboard.insertText(
          "echo plain; echo 'on stderr' >&2\nfor c in 30 31 32 33 34 35 36 37; do printf '\\033[%sm colour %s \\033[0m\\n' $c $c; done",
        );
        await page.keyboard.press('Escape');
        await runAndWait(target, run);
        await expect(panel(target).locator('.rb-stderr')).toBeVisible();
        // The main content, where every runnable block is; the header (Starlight's search button,
        // label-content-name-mismatch) is accessibility.spec.ts's business.
        const results = await new AxeBuilder({ page }).include('main').withTags(WCAG_22_AA_TAGS).analyze();
        const summary = results.violations.map((violation) => ({
          rule: violation.id,
          targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
        }));
        expect(summary).toEqual([]);
      });
    }
  }
});

test.describe('at 360 px', () => {
  test.use({ viewport: { width: 360, height: 740 } });
  test('the toolbar and an open panel fit without horizontal page scroll', async ({ page }) => {
    await page.goto('/en/performance/');
    await runAndWait(block(page, NPROC_BLOCK, true));
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
