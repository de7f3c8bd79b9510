/**
 * `node scripts/screenshot-run.ts`: docs/screenshot-run.png, a chapter with an output panel
 * open. Starts the real server on a free port over the built site (run `npm run build`
 * first), opens the page in Debian's Chromium, presses Run on each `--run` block in order
 * (picked by a piece of its code) and photographs the last one with its output.
 *
 *   --page /commands/        the chapter
 *   --run 'docker ps'        a block to run; repeat for several (state carries across them)
 *   --out docs/screenshot-run.png
 *   --theme light|dark
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { serverNodeArguments } from '../sandbox-server/src/server-command.ts';
import { freePort } from './lib/free-port.ts';

const REPO_ROOT = new URL('../', import.meta.url).pathname;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SERVER_READY_WITHIN_MS = 180_000;
const RUN_WITHIN_MS = 60_000;
/** Room above the first block for Starlight's fixed header and a line of the text before it. */
const HEADER_CLEARANCE_PX = 120;

const { values } = parseArgs({
  options: {
    page: { type: 'string', default: '/commands/' },
    run: {
      type: 'string',
      multiple: true,
      default: ["docker run -d --name ticker busybox sh -c 'while true", 'docker ps\n'],
    },
    out: { type: 'string', default: 'docs/screenshot-run.png' },
    theme: { type: 'string', default: 'light' },
  },
});

async function waitUntilHealthy(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + SERVER_READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`);
    const health = await fetch(`${url}/api/health`).catch(() => undefined);
    if (health?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server was not healthy within ${SERVER_READY_WITHIN_MS} ms`);
}

if (!existsSync(`${REPO_ROOT}dist/index.html`)) {
  console.error('No built site in dist/: run `npm run build` first.');
  process.exit(1);
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, serverNodeArguments(), {
  cwd: REPO_ROOT,
  env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});

try {
  await waitUntilHealthy(url, server);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.addInitScript((theme) => localStorage.setItem('starlight-theme', theme), values.theme);
    await page.goto(`${url}${values.page}`);
    const blocks = [];
    for (const code of values.run) {
      // A trailing newline in --run means "the whole code is this".
      const exact = code.endsWith('\n');
      const selector = exact
        ? `run-block[data-code="${code.trimEnd().replaceAll('"', '\\"')}"]`
        : `run-block[data-code*="${code.replaceAll('"', '\\"')}"]`;
      const target = page.locator(selector).first();
      blocks.push(target);
      await target.scrollIntoViewIfNeeded();
      await target.locator('.rb-toolbar button[data-action="run"]').click();
      await target
        .locator('.rb-status')
        .filter({ hasText: /\d/ })
        .or(target.locator('.rb-notice:not([hidden])'))
        .waitFor({ timeout: RUN_WITHIN_MS });
    }
    // From the first block run, just below the page header.
    await blocks[0]?.evaluate((element, clearance) => {
      element.scrollIntoView({ block: 'start' });
      window.scrollBy(0, -clearance);
    }, HEADER_CLEARANCE_PX);
    await page.screenshot({ path: `${REPO_ROOT}${values.out}` });
    console.log(`wrote ${values.out}`);
  } finally {
    await browser.close();
  }
} finally {
  server.kill('SIGTERM');
}
