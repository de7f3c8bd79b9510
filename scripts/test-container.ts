/**
 * `npm run test:container` (a stage of `npm test`): Dockyard as a container, the way compose.yaml
 * runs it. Builds the image from the Dockerfile, starts compose.yaml with a real Compose
 * implementation (the `docker compose` plugin, or Debian 12's `docker-compose`) against this
 * machine's engine, and checks through the published port that:
 *   - the site is served and /api/health is ok;
 *   - a shell run works, and its OOM kill is reported (the server reads it from the engine's API,
 *     it has no cgroup files of the host);
 *   - a playground session starts and a `docker run` inside it works;
 *   - after `down`, every sandbox container the containerised server started is gone.
 * The sandbox images must exist on the engine (`npm run images`). Bounded: it gives up after
 * TOTAL_TIMEOUT_MS. Prints one line per step; the commands' output goes to the log it names.
 */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './lib/free-port.ts';
import { REPO_ROOT } from './lib/prepare.ts';
import { Progress } from './lib/progress.ts';
import { buildServerImage, SERVER_IMAGE } from './lib/server-image.ts';

const TOTAL_TIMEOUT_MS = 25 * 60_000;
const HEALTHY_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 120_000;
const PROJECT = `dockyard-test-${process.pid}`;
const SOCKET = '/var/run/docker.sock';

const deadline = setTimeout(() => {
  console.error(`✗ gave up after ${TOTAL_TIMEOUT_MS / 60_000} min`);
  composeDown();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
deadline.unref();

/** The Compose implementation on this machine: the v2 plugin, else the standalone `docker-compose`. */
function composeCommand(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0)
    return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  throw new Error(
    'no Compose implementation found: install the docker compose plugin, or Debian’s docker-compose package',
  );
}

const progress = new Progress('test-container');
const compose = composeCommand();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// A smaller stack than the defaults: one warm shell container and one warm playground.
const override = join(tmpdir(), `${PROJECT}.override.yaml`);
writeFileSync(
  override,
  [
    'services:',
    '  dockyard:',
    `    image: ${SERVER_IMAGE}`,
    '    environment:',
    '      SHELL_POOL_SIZE: "1"',
    '      PLAYGROUND_POOL_SIZE: "1"',
    '      RATE_LIMIT_MAX: "100000"',
    '',
  ].join('\n'),
);
const composeEnv = {
  ...process.env,
  DOCKYARD_PORT: String(port),
  PUBLIC_HOSTS: `127.0.0.1:${port},localhost:${port}`,
  DOCKER_GID: String(statSync(SOCKET).gid),
};
const [composeProgram = 'docker-compose', ...composePrefix] = compose;
const composeArgs = (...args: string[]) => [
  ...composePrefix,
  ...['-p', PROJECT, '-f', join(REPO_ROOT, 'compose.yaml'), '-f', override],
  ...args,
];
const composeStep = (...args: string[]) =>
  progress.run(composeProgram, composeArgs(...args), { env: composeEnv });
const composeOutput = (...args: string[]) =>
  spawnSync(composeProgram, composeArgs(...args), { env: composeEnv, encoding: 'utf8' });

function composeDown(): void {
  composeOutput('down', '--volumes', '--timeout', '30');
}

async function api(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function expectThat(condition: boolean, what: string, actual: unknown): void {
  if (!condition) throw new Error(`${what}; got ${JSON.stringify(actual)}`);
}

function serverContainerHostname(): string {
  const id = composeOutput('ps', '-q', 'dockyard').stdout.trim();
  const inspected = spawnSync('docker', ['inspect', '-f', '{{.Config.Hostname}}', id], { encoding: 'utf8' });
  return inspected.stdout.trim();
}

function sandboxContainersOf(host: string): string[] {
  const listed = spawnSync('docker', ['ps', '-aq', '--filter', `label=dockyard.host=${host}`], {
    encoding: 'utf8',
  });
  return listed.stdout.split('\n').filter((line) => line !== '');
}

let failed = false;
try {
  progress.say(`· Compose: ${compose.join(' ')}; project ${PROJECT}; port ${port}`);
  await buildServerImage(progress);
  await progress.step('compose up', () => composeStep('up', '-d', '--no-build'));
  await progress.step('server healthy (site, engine, both pools)', async () => {
    const until = performance.now() + HEALTHY_TIMEOUT_MS;
    let last: unknown;
    while (performance.now() < until) {
      last = await api('/api/health').catch((error: unknown) => String(error));
      if (typeof last === 'object' && last !== null && (last as { status: number }).status === 200) break;
      await sleep(1_000);
    }
    expectThat((last as { status?: number }).status === 200, '/api/health did not become ok', last);
    const page = await fetch(`${base}/en/`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    expectThat(
      page.status === 200 && (await page.text()).includes('<html'),
      'the site is not served at /en/',
      page.status,
    );
  });
  await progress.step('shell run, and an OOM kill seen through the engine API', async () => {
    const hello = await api('/api/run', { runner: 'shell', code: 'echo hello from a sandbox' });
    expectThat(hello.json.stdout === 'hello from a sandbox\n', 'shell run output', hello.json);
    const hog = await api('/api/run', {
      runner: 'shell',
      code: 'head -c 1G /dev/zero | tail; echo "tail: $?"',
    });
    expectThat(
      hog.json.oomKilled === true && hog.json.stdout === 'tail: 137\n',
      'OOM kill reported',
      hog.json,
    );
  });
  await progress.step('playground session and a docker run in it', async () => {
    const session = await api('/api/sessions', {});
    expectThat(session.status === 201, 'POST /api/sessions', session);
    const run = await api('/api/run', {
      runner: 'docker',
      session: session.json.id,
      code: 'docker run --rm busybox echo hello from the playground',
    });
    expectThat(run.json.stdout === 'hello from the playground\n', 'docker run in the playground', run.json);
  });
  const host = serverContainerHostname();
  await progress.step('compose down removes every sandbox container', async () => {
    expectThat(sandboxContainersOf(host).length > 0, 'the server should hold warm containers', host);
    await composeStep('down', '--timeout', '30');
    const left = sandboxContainersOf(host);
    expectThat(left.length === 0, 'containers left behind after down', left);
  });
} catch (error) {
  failed = true;
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  const logs = composeOutput('logs', '--no-color', '--tail', '40');
  progress.log(logs.stdout + logs.stderr);
  console.error(`  the server's last log lines are in ${progress.logPath}`);
} finally {
  composeDown();
}
progress.say(failed ? '✗ container test failed' : `✓ container test passed (${progress.elapsed()})`);
progress.close();
process.exit(failed ? 1 : 0);
