/**
 * Published ports open in the browser: Tomcat started from the services chapter's Run buttons and nginx
 * started in the terminal are listed with an "Open" link whose page renders (the reader's own page with
 * its stylesheet and image too); the preview is another origin that cannot read the handbook's — no
 * opener, none of its cookies or storage, no answer from its API with the reader's credentials. Both
 * languages; axe with the port list visible.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { block, panel, press } from './run-block-helpers.ts';

const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
/** Tomcat's JVM and the services blocks' own waits (up to 2 minutes each) on a machine that may be busy. */
const TOMCAT_TIMEOUT_MS = 200_000;
const SHELL_TIMEOUT_MS = 90_000;
const PREVIEW_URL = /^http:\/\/[0-9a-f]{32}\.localhost:\d+\/$/;

test.describe.configure({ timeout: 600_000 });

test.afterEach(async ({ page }) => {
  await page.goto('about:blank');
});

async function runAndWaitLong(target: Locator, label: string): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  await press(target, label);
  await expect(panel(target).locator('.rb-status')).toContainText(/exit code|退出码/, {
    timeout: TOMCAT_TIMEOUT_MS,
  });
}

/** In the page's dark theme and in the light one (Starlight's switch sets data-theme). */
async function expectNoAxeViolations(page: Page, selector: string): Promise<void> {
  for (const theme of ['dark', 'light']) {
    await page.evaluate((chosen) => {
      document.documentElement.dataset.theme = chosen;
    }, theme);
    const results = await new AxeBuilder({ page }).include(selector).withTags(WCAG_22_AA_TAGS).analyze();
    const summary = results.violations.map((violation) => ({
      rule: violation.id,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
    expect({ theme, summary }).toEqual({ theme, summary: [] });
  }
}

/** Opens a port link the way a reader does (a new tab) and returns that tab. */
async function openLink(page: Page, link: Locator): Promise<Page> {
  await expect(link).toHaveAttribute('href', PREVIEW_URL);
  await expect(link).toHaveAttribute('target', '_blank');
  const [preview] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await preview.waitForLoadState();
  return preview;
}

/** What a page on the preview origin can learn about the handbook's origin `site`. */
async function probeSite(preview: Page, site: string) {
  return preview.evaluate(async (siteOrigin) => {
    const attempt = async (init: RequestInit & { path: string }) => {
      try {
        const response = await fetch(`${siteOrigin}${init.path}`, { ...init, credentials: 'include' });
        return `read ${response.status}: ${await response.text()}`;
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    };
    return {
      opener: window.opener === null,
      cookie: document.cookie,
      token: localStorage.getItem('dockyard-token'),
      health: await attempt({ path: '/api/health', method: 'GET' }),
      newSession: await attempt({
        path: '/api/sessions',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    };
  }, site);
}

test('zh: Tomcat started from the services chapter opens through its link', async ({ page, baseURL }) => {
  await page.goto('/services/');
  // Something of the handbook's own that a preview must never see.
  await page.context().addCookies([{ name: 'handbook-secret', value: '1', url: baseURL ?? '' }]);
  await page.evaluate(() => localStorage.setItem('dockyard-token', 'handbook-token-0123456789'));
  const start = block(page, 'docker run -d --name tomcat -p 8080:8080 tomcat', true);
  await runAndWaitLong(start, '运行');
  const link = panel(start).getByRole('link', { name: /^打开 8080/ });
  await expect(link).toBeVisible({ timeout: SHELL_TIMEOUT_MS });
  await expect(panel(start)).toContainText('已发布的端口');
  await expectNoAxeViolations(page, 'run-block:has(.rb-ports:not([hidden]))');

  await runAndWaitLong(
    block(page, 'cp -r /usr/local/tomcat/webapps.dist/* /usr/local/tomcat/webapps/', true),
    '运行',
  );
  await runAndWaitLong(block(page, '%{http_code}\' http://localhost:8080/)" = 200 ]', true), '运行');

  const preview = await openLink(page, link);
  await expect(preview).toHaveTitle('Apache Tomcat');
  await expect(preview.getByRole('heading', { level: 1 })).toHaveText('It works !');

  const seen = await probeSite(preview, new URL(baseURL ?? '').origin);
  expect(seen).toEqual({
    opener: true,
    cookie: '',
    token: null,
    health: 'refused: TypeError',
    newSession: 'refused: TypeError',
  });
  await preview.close();
});

test('en: nginx started in the terminal opens through the panel’s link, with the reader’s own styles and image', async ({
  page,
}) => {
  await page.goto('/en/commands/');
  await page.getByRole('button', { name: 'Terminal', exact: true }).click();
  const screen = page.locator('terminal-panel .xterm-rows');
  await expect(screen).toContainText(/root@playground:~#/, { timeout: SHELL_TIMEOUT_MS });
  // `sleep 3` first: the port is published only after the panel's first look (1.5 s after Enter), as on a
  // busy machine where `docker run` takes that long; the panel must look again once the command is done.
  await page.keyboard.type(
    'sleep 3 && docker run -d --name web -p 8080:80 nginx && docker exec web sh -c \'echo "h1{color:rgb(1,2,3)}" >/usr/share/nginx/html/s.css; echo "<svg xmlns=\\"http://www.w3.org/2000/svg\\" width=\\"40\\" height=\\"30\\"></svg>" >/usr/share/nginx/html/i.svg; echo "<title>mine</title><link rel=stylesheet href=s.css><h1>mine</h1><img src=i.svg alt=box>" >/usr/share/nginx/html/mine.html\' && echo published',
  );
  await page.keyboard.press('Enter');
  await expect(screen).toContainText(/published\s*root@playground/, { timeout: SHELL_TIMEOUT_MS });
  const ports = page.locator('terminal-panel .rb-ports');
  const link = ports.getByRole('link', { name: /^Open 8080/ });
  await expect(link).toBeVisible({ timeout: SHELL_TIMEOUT_MS });
  await expect(ports).toContainText('Published ports:');
  await expectNoAxeViolations(page, 'terminal-panel');

  const preview = await openLink(page, link);
  await expect(preview.getByRole('heading', { level: 1 })).toHaveText('Welcome to nginx!');
  await preview.goto(new URL('/mine.html', preview.url()).href);
  await expect(preview).toHaveTitle('mine');
  await expect(preview.getByRole('heading', { level: 1 })).toHaveCSS('color', 'rgb(1, 2, 3)');
  await expect
    .poll(() => preview.locator('img').evaluate((image: HTMLImageElement) => image.naturalWidth))
    .toBe(40);
  await preview.close();
});
