/**
 * The terminal panel as a reader uses it: opened from the page's Terminal control or a block's "Run in
 * terminal" button, typed into, sharing the playground with the Run buttons, usable with the keyboard
 * alone, in both languages, and without accessibility violations while open.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { block, collectErrors, runAndWait } from './run-block-helpers.ts';

const PROMPT = /root@playground:~#/;
/** A shell's first answer can take a few seconds on a busy machine (a playground is booted for the page). */
const SHELL_TIMEOUT_MS = 90_000;

const LOCALES = [
  { path: '/commands/', open: '终端', close: '关闭终端', runInTerminal: '在终端运行' },
  { path: '/en/commands/', open: 'Terminal', close: 'Close terminal', runInTerminal: 'Run in terminal' },
] as const;

// A page, a playground and a shell on a machine that may be very busy: generous, never a timing claim.
test.describe.configure({ timeout: 240_000 });

// Leaving the page ends its playground session (pagehide), as a reader's leaving does: without it the
// sessions of earlier tests would count against the per-client limit until they expire.
test.afterEach(async ({ page }) => {
  await page.goto('about:blank');
});

function screen(page: Page): Locator {
  return page.locator('terminal-panel .xterm-rows');
}

async function openPanel(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await expect(page.locator('terminal-panel')).toBeVisible({ timeout: SHELL_TIMEOUT_MS });
  await expect(screen(page)).toContainText(PROMPT, { timeout: SHELL_TIMEOUT_MS });
}

async function typeLine(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

for (const locale of LOCALES) {
  test(`${locale.path}: the panel opens a shell in the playground, takes typing and shows output`, async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(locale.path);
    await openPanel(page, locale.open);
    await expect(page.locator('terminal-panel textarea')).toBeFocused();
    await typeLine(page, 'echo hello-$((6*7)); stty size');
    await expect(screen(page)).toContainText('hello-42', { timeout: SHELL_TIMEOUT_MS });
    await expect(page.getByRole('region', { name: /终端|Terminal/ })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test(`${locale.path}: "Run in terminal" types a block's command without running it`, async ({ page }) => {
    await page.goto(locale.path);
    const interactive = page.locator('terminal-block[data-code^="docker run -it --name deb"]');
    await interactive.scrollIntoViewIfNeeded();
    await interactive.getByRole('button', { name: locale.runInTerminal, exact: true }).click();
    await expect(screen(page)).toContainText(/# docker run -it --name deb debian:bookworm bash\s*$/, {
      timeout: SHELL_TIMEOUT_MS,
    });
    // Nothing ran: the reader presses Enter. Here: Ctrl+U clears the line, and no container exists.
    await page.keyboard.press('Control+u');
    await typeLine(page, "docker ps -a --format 'count={{.Names}}' | wc -l");
    // The screen's rows come joined without line breaks: the count sits between the command and the prompt.
    await expect(screen(page)).toContainText(/wc -l\s*0\s*root@playground/, { timeout: SHELL_TIMEOUT_MS });
  });
}

test('a container started by a Run button shows in the terminal’s docker ps', async ({ page }) => {
  await page.goto('/en/commands/');
  await runAndWait(block(page, 'docker run -d --name ticker busybox sh -c', true));
  await openPanel(page, 'Terminal');
  await typeLine(page, "docker ps --format 'name={{.Names}}'");
  await expect(screen(page)).toContainText('name=ticker', { timeout: SHELL_TIMEOUT_MS });
});

test('keyboard only: open, type, leave with Shift+Tab, close and come back to the control', async ({
  page,
}) => {
  await page.goto('/en/commands/');
  const launcher = page.getByRole('button', { name: 'Terminal', exact: true });
  await expect(launcher).toBeVisible({ timeout: SHELL_TIMEOUT_MS });
  // The control is the page's last focusable element: Shift+Tab from the top of the page reaches it.
  await page.keyboard.press('Shift+Tab');
  await expect(launcher).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText(PROMPT, { timeout: SHELL_TIMEOUT_MS });
  await expect(page.locator('terminal-panel textarea')).toBeFocused();
  await typeLine(page, 'echo typed-by-keyboard');
  await expect(screen(page)).toContainText(/echo typed-by-keyboard\s*typed-by-keyboard\s*root@/, {
    timeout: SHELL_TIMEOUT_MS,
  });
  // Tab stays in the terminal (completion); Shift+Tab leaves it, as the panel says.
  await page.keyboard.press('Tab');
  await expect(page.locator('terminal-panel textarea')).toBeFocused();
  await expect(page.locator('terminal-panel')).toContainText('Shift+Tab leaves the terminal');
  await page.keyboard.press('Shift+Tab');
  const close = page.getByRole('button', { name: 'Close terminal' });
  await expect(close).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('terminal-panel')).toBeHidden();
  await expect(launcher).toBeFocused();
});

for (const theme of ['light', 'dark'] as const) {
  for (const locale of LOCALES) {
    test(`${locale.path} with the panel open has no WCAG 2.2 AA violations (${theme})`, async ({ page }) => {
      await page.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
      await page.goto(locale.path);
      await openPanel(page, locale.open);
      await typeLine(page, 'ls -la /');
      await expect(screen(page)).toContainText('proc', { timeout: SHELL_TIMEOUT_MS });
      // The panel only: every page as a whole is checked by accessibility.spec.ts.
      expect(await axeViolations(page, 'terminal-panel')).toEqual([]);
    });
  }
}
