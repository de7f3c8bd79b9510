/**
 * The e2e suite's "site hosted elsewhere" (playwright.config.ts starts it): builds the site with
 * PUBLIC_SANDBOX_URL naming the e2e sandbox server, into .cache/e2e-cross-origin-site, then serves it
 * on another origin with a server that has no Docker engine and no pools — so a Run button that works
 * there can only have used the sandbox server named at build time.
 *
 * Environment: SANDBOX_URL (the API's origin), PORT (where to serve the site).
 */
import { join } from 'node:path';
import { runCommand } from '../lib/run-command.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const SITE_DIR = join(REPO_ROOT, '.cache', 'e2e-cross-origin-site');

const sandboxUrl = process.env.SANDBOX_URL;
if (sandboxUrl === undefined) throw new Error('SANDBOX_URL is not set');

const built = await runCommand('npx', ['astro', 'build', '--outDir', SITE_DIR], {
  cwd: REPO_ROOT,
  env: { ...process.env, PUBLIC_SANDBOX_URL: sandboxUrl },
});
if (built !== 0) throw new Error(`astro build for the cross-origin site failed (exit ${built})`);

Object.assign(process.env, {
  SITE_DIR,
  DOCKER_SOCKET_PATH: '/nonexistent/docker.sock',
  SHELL_POOL_SIZE: '0',
  PLAYGROUND_POOL_SIZE: '0',
  CORS_ORIGINS: '',
});
await import('../../sandbox-server/src/server.ts');
