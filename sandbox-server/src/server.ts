/**
 * Entry point: `node sandbox-server/src/server.ts`. Reads the config, wires
 * the real Docker engine, the container registry and the runners into the
 * app, serves the built site and the API on one port, and on SIGTERM/SIGINT
 * closes the app — which kills and removes every container it started.
 * Without a reachable engine the server still starts (the site is served,
 * runs answer 503, /api/health says why).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AppDeps, buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { Containers } from './docker/containers.ts';
import { DockerEngine } from './docker/engine.ts';
import { newInstanceIdentity } from './docker/labels.ts';
import { createDockerPlaygrounds } from './playground/docker-playgrounds.ts';
import type { DockerRunner } from './runners/docker-runner.ts';
import { ShellRunner } from './runners/shell-runner.ts';

const SHUTDOWN_TIMEOUT_MS = 20_000;
const SESSION_SWEEP_INTERVAL_MS = 5_000;

/** Optional local settings (see .env.example); variables already set in the environment win. */
const ENV_FILE = join(import.meta.dirname, '..', '..', '.env');

async function main(): Promise<void> {
  if (existsSync(ENV_FILE)) process.loadEnvFile(ENV_FILE);
  const config = loadConfig();
  const engine = new DockerEngine({
    socketPath: config.dockerSocketPath,
    callTimeoutMs: config.dockerCallTimeoutMs,
  });
  const containers = new Containers(engine, newInstanceIdentity());
  // The runners log through the app's logger, which exists only once the app does.
  const runners: { shell?: ShellRunner; docker?: DockerRunner } = {};
  const deps: AppDeps = { config, engine, containers, runners };
  // The session store needs the app's logger, and the app needs the store: it is filled in below.
  const app = await buildApp(deps);
  const shell = new ShellRunner({ config, engine, containers, log: app.log.child({ runner: 'shell' }) });
  runners.shell = shell;
  const {
    pool: playgrounds,
    sessions,
    runner: dockerRunner,
    terminals,
  } = createDockerPlaygrounds({
    config,
    engine,
    containers,
    log: app.log.child({ runner: 'docker' }),
    sweepIntervalMs: SESSION_SWEEP_INTERVAL_MS,
  });
  deps.sessions = sessions;
  deps.terminals = terminals;
  runners.docker = dockerRunner;

  try {
    const info = await engine.info();
    app.log.info({ docker: info.serverVersion, runtimes: info.runtimes }, 'Docker engine reachable');
  } catch (error) {
    app.log.warn(
      `Docker engine not reachable at ${config.dockerSocketPath} (${(error as Error).message}); ` +
        'serving the site with Run disabled until it is (start it with scripts/provision/docker-engine.sh)',
    );
  }
  shell.start();
  playgrounds.start();
  sessions.start();

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: removing sandbox containers');
    setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
