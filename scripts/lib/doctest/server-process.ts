/**
 * Starts the real sandbox server (sandbox-server/src/server.ts) on a free loopback port for the
 * doc-tests, waits until /api/health says ok, and stops it again (SIGTERM: the server removes its
 * containers on close).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { serverNodeArguments } from '../../../sandbox-server/src/server-command.ts';
import { freePort } from '../free-port.ts';
import { SandboxClient } from './sandbox-client.ts';

/** Warm pools (shell containers, playgrounds) are filled at start-up; that can take a while here. */
const HEALTHY_WITHIN_MS = 180_000;
const HEALTH_POLL_INTERVAL_MS = 500;
const STOP_GRACE_MS = 60_000;

export interface ServerProcess {
  readonly url: string;
  /** The server's process id (benchmarks read its memory). */
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface ServerOptions {
  /** A built site to serve as `npm start` does; by default the API alone. */
  siteDir?: string;
}

export async function startSandboxServer(
  repoRoot: string,
  logDir: string,
  options: ServerOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(logDir, 'doctest-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, serverNodeArguments(), {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // One client sends every block of the handbook: the per-client limits are for the public.
      RATE_LIMIT_MAX: '1000000',
      RUN_CONCURRENCY_PER_CLIENT: '256',
      RUN_QUEUE_LIMIT_PER_CLIENT: '10000',
      // By default the API alone: a directory without index.html makes the server skip the static site.
      SITE_DIR: options.siteDir ?? logDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited(child);
      clearTimeout(timer);
    }
    await new Promise((resolve) => log.end(resolve));
  };

  const client = new SandboxClient(url);
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  let reason: string | undefined = 'not started';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `the sandbox server exited (code ${child.exitCode ?? child.signalCode}); see ${logFile}`,
      );
    }
    reason = await client.unhealthyReason();
    if (reason === undefined) return { url, pid: child.pid ?? 0, logFile, stop };
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_INTERVAL_MS));
  }
  await stop();
  throw new Error(
    `the sandbox server was not healthy within ${HEALTHY_WITHIN_MS / 1000} s (${reason}); see ${logFile}`,
  );
}
