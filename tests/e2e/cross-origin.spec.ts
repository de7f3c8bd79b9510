import { expect, type Page, test } from '@playwright/test';
import {
  block,
  collectErrors,
  expectPlaygroundStateAndReset,
  panel,
  press,
  runAndWait,
} from './run-block-helpers.ts';

// The site as a team hosts it elsewhere: built with PUBLIC_SANDBOX_URL naming the e2e sandbox server and
// served from another origin by a server without Docker (scripts/e2e/cross-origin-site.ts). The sandbox
// server lists exactly that origin in CORS_ORIGINS (playwright.config.ts); the browser enforces the rest.

const CROSS_ORIGIN_PORT = process.env.E2E_CROSS_ORIGIN_PORT;
const SITE = `http://127.0.0.1:${CROSS_ORIGIN_PORT}`;
/** The same server by another name: another origin, which CORS_ORIGINS does not list. */
const UNLISTED_SITE = `http://localhost:${CROSS_ORIGIN_PORT}`;

/** Every request the page makes to an /api/ path, as "METHOD url". */
function apiRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/'))
      seen.push(`${request.method()} ${request.url()}`);
  });
  return seen;
}

test.describe('a site hosted on another origin', () => {
  test('runs shell and docker blocks on the sandbox server named at build time', async ({
    page,
    baseURL,
  }) => {
    const errors = collectErrors(page);
    const requests = apiRequests(page);

    await page.goto(`${SITE}/en/performance/`);
    const shell = await runAndWait(block(page, 'nproc', true));
    await expect(shell.locator('.rb-output')).toContainText(/nproc: \d+/);
    await expect(shell.locator('.rb-status')).toContainText('exit code 0');

    // A session (POST), its runs (POST, streamed) and a reset (DELETE: a preflighted request).
    await page.goto(`${SITE}/en/commands/`);
    await expectPlaygroundStateAndReset(page);

    expect(requests.some((request) => request.startsWith('DELETE '))).toBe(true);
    for (const request of requests) expect(request).toMatch(new RegExp(`^[A-Z]+ ${baseURL}/api/`));
    expect(errors).toEqual([]);
  });

  test('an origin the server does not list is refused by the browser, and the page says so', async ({
    page,
  }) => {
    await page.goto(`${UNLISTED_SITE}/en/performance/`);
    const target = block(page, 'nproc', true);
    await target.scrollIntoViewIfNeeded();
    await press(target, 'Run');
    await expect(panel(target).locator('.rb-notice')).toContainText('cannot be reached');
    await expect(target.getByRole('button', { name: 'Run' })).toBeEnabled();
  });
});
