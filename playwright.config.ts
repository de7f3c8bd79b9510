import { defineConfig, devices } from '@playwright/test';
import { serverCommandLine } from './sandbox-server/src/server-command.ts';

// Browser tests drive Debian's Chromium (downloads of Playwright's own browser
// are blocked on these machines) against the real server: the built site and
// the sandbox API on one port, exactly what `npm start` serves.
const E2E_PORT = Number(process.env.E2E_PORT ?? 4329);
/** The same site, built to call the server above from another origin (tests/e2e/cross-origin.spec.ts). */
const CROSS_ORIGIN_PORT = Number(process.env.E2E_CROSS_ORIGIN_PORT ?? E2E_PORT + 1);
// The test workers inherit it: the spec opens the site there.
process.env.E2E_CROSS_ORIGIN_PORT = String(CROSS_ORIGIN_PORT);
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: [
    {
      command: serverCommandLine(),
      // The site's landing page, not /api/health: health is 503 while the engine
      // is down, and the offline tests want the site served all the same.
      url: `http://127.0.0.1:${E2E_PORT}/`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        PORT: String(E2E_PORT),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        CORS_ORIGINS: `http://127.0.0.1:${CROSS_ORIGIN_PORT}`,
      },
    },
    {
      command: 'node scripts/e2e/cross-origin-site.ts',
      url: `http://127.0.0.1:${CROSS_ORIGIN_PORT}/`,
      reuseExistingServer: false,
      // It builds the site first.
      timeout: 240_000,
      env: {
        PORT: String(CROSS_ORIGIN_PORT),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SANDBOX_URL: `http://127.0.0.1:${E2E_PORT}`,
        E2E_CROSS_ORIGIN_PORT: String(CROSS_ORIGIN_PORT),
      },
    },
  ],
});
