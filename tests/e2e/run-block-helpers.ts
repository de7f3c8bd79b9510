/**
 * Driving a run-block as a reader does, shared by the specs that click Run. Blocks are picked by
 * their code (data-code), not by position, so chapters can change around them.
 */
import { expect, type Locator, type Page } from '@playwright/test';

/** The runnable block whose code is exactly `code`, or (`partial`) contains it. */
export function block(page: Page, code: string, partial = false): Locator {
  const escaped = code.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return page.locator(`run-block[data-code${partial ? '*' : ''}="${escaped}"]`).first();
}

/** Waits for the toolbar (the element has upgraded) and clicks a button by its visible name. */
export async function press(target: Locator, name: string | RegExp): Promise<void> {
  await target.getByRole('button', { name, exact: typeof name === 'string' }).click();
}

export function panel(target: Locator): Locator {
  return target.locator('.rb-panel');
}

export async function runAndWait(target: Locator, runLabel = 'Run'): Promise<Locator> {
  await target.scrollIntoViewIfNeeded();
  await press(target, runLabel);
  const status = panel(target).locator('.rb-status');
  await expect(status).toContainText(/exit code|退出码|without an exit code/, { timeout: 30_000 });
  return panel(target);
}

/** Replaces the code of a block through its editor, as a reader would. */
export async function editCode(page: Page, target: Locator, code: string): Promise<void> {
  await press(target, 'Edit');
  const editor = target.getByRole('textbox');
  await expect(editor).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  // The browser itself logs failed requests; those are the point of the offline tests.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * On /en/commands/: starts a container in one block, sees it in the next block's `docker ps`, resets the
 * playground from that block and sees the next run start in a fresh one.
 */
export async function expectPlaygroundStateAndReset(page: Page): Promise<void> {
  await runAndWait(block(page, 'docker run -d --name ticker busybox sh -c', true));
  const list = block(page, 'docker ps');
  await expect((await runAndWait(list)).locator('.rb-output')).toContainText('ticker');
  await press(list, 'Reset playground');
  await expect(panel(list).locator('.rb-notice')).toContainText('Playground reset');
  await expect((await runAndWait(list)).locator('.rb-output')).not.toContainText('ticker');
}
