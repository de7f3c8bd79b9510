/**
 * `npm start`: from a fresh clone to a served site with working Run buttons.
 * Installs dependencies, builds the site when its inputs changed, builds the
 * sandbox images when a Docker engine is reachable, then serves site + API on
 * one port (PORT, default 4321). Without an engine the site is still served;
 * the Run buttons say the sandbox is unavailable.
 *
 * Each preparation step is one line with its time (scripts/lib/progress.ts);
 * the commands' output goes to a log file named first. Once the server
 * answers, a summary says where it is, which engine it uses and whether each
 * runner is ready; the server's own log follows.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverNodeArguments } from '../sandbox-server/src/server-command.ts';
import {
  checkDockerEngine,
  ENGINE_HELP,
  ensureDependencies,
  ensureImages,
  ensureSiteBuilt,
  REPO_ROOT,
} from './lib/prepare.ts';
import { Progress } from './lib/progress.ts';

/** How long the summary waits for the warm pools before it reports them as still starting. */
const READY_WAIT_MS = 180_000;
const READY_POLL_MS = 500;

interface PoolHealth {
  target: number;
  ready: number;
  starting: number;
  error?: string;
}
interface Health {
  docker: { reachable: boolean; serverVersion?: string; runtimes?: string[]; error?: string };
  pools: Record<string, PoolHealth>;
}

const progress = new Progress('start');
let engineLine = '';
try {
  await ensureDependencies(progress);
  await ensureSiteBuilt({ progress });
  const engine = await checkDockerEngine();
  if (engine.reachable) {
    progress.say(`· Docker Engine ${engine.version} is reachable`);
    engineLine = `Docker Engine ${engine.version}`;
    await ensureImages();
  } else {
    console.warn(`\n⚠ No Docker Engine is reachable (${engine.reason}).\n${ENGINE_HELP}\n`);
    console.warn('Serving the site anyway; the Run buttons will report the sandbox as unavailable.\n');
    engineLine = `none reachable (${engine.reason})`;
  }
} catch (error) {
  console.error(`\n✗ ${error instanceof Error ? error.message : String(error)}`);
  console.error(`  full log: ${progress.logPath}`);
  process.exit(1);
} finally {
  progress.close();
}

const envFile = join(REPO_ROOT, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);
const { loadConfig } = await import('../sandbox-server/src/config.ts');
const config = loadConfig();
const listenHost = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.host) ? 'localhost' : config.host;
const url = `http://${listenHost}:${config.port}/`;

const server = spawn('node', serverNodeArguments(), { cwd: REPO_ROOT, stdio: 'inherit' });
let serverExited = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.kill(signal));
}
server.once('exit', (code, signal) => {
  serverExited = true;
  process.exit(signal ? 0 : (code ?? 1));
});

/** The server's health once every pool is ready or has failed, or when the wait is over. */
async function settledHealth(): Promise<Health | undefined> {
  const deadline = performance.now() + READY_WAIT_MS;
  let last: Health | undefined;
  while (!serverExited && performance.now() < deadline) {
    last = await fetch(`http://127.0.0.1:${config.port}/api/health`)
      .then((response) => response.json() as Promise<Health>)
      .catch(() => last);
    const pools = Object.values(last?.pools ?? {});
    const settled = (pool: PoolHealth) => pool.error !== undefined || pool.ready >= Math.min(1, pool.target);
    if (last !== undefined && (!last.docker.reachable || pools.every(settled))) return last;
    await sleep(READY_POLL_MS);
  }
  return last;
}

function runnerLine(name: string, pool: PoolHealth | undefined): string {
  if (pool === undefined) return `${name}: not configured`;
  if (pool.error !== undefined) return `${name}: NOT READY — ${pool.error}`;
  if (pool.ready >= Math.min(1, pool.target)) return `${name}: ready (${pool.ready} of ${pool.target} warm)`;
  return `${name}: still starting (${pool.ready} of ${pool.target} warm, ${pool.starting} starting)`;
}

const health = await settledHealth();
if (!serverExited) {
  const engine = health?.docker.reachable
    ? `${engineLine} — runtimes ${health.docker.runtimes?.join(', ') ?? '?'}`
    : engineLine;
  console.log(
    [
      '',
      '━━ Dockyard is running ━━',
      `  site:    ${url}  (English: ${url}en/)`,
      `  engine:  ${engine}`,
      `  runners: ${runnerLine('shell', health?.pools.shell)}`,
      `           ${runnerLine('docker', health?.pools.docker)}`,
      `  preparation log: ${progress.logPath}`,
      '  Ctrl-C stops the server (and removes its containers).',
      '',
    ].join('\n'),
  );
}
