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
import { buildSandbox } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { describeCgroupMode } from './docker/cgroup-mode.ts';
import { DockerEngine } from './docker/engine.ts';
import { persistedInstanceIdentity } from './docker/labels.ts';
import { recordEngineCgroup } from './observability/metrics.ts';

const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Optional local settings (see .env.example); variables already set in the environment win. */
const ENV_FILE = join(import.meta.dirname, '..', '..', '.env');

async function main(): Promise<void> {
  if (existsSync(ENV_FILE)) process.loadEnvFile(ENV_FILE);
  const config = loadConfig();
  const engine = new DockerEngine({
    socketPath: config.dockerSocketPath,
    callTimeoutMs: config.dockerCallTimeoutMs,
  });
  const { app } = await buildSandbox({
    config,
    engine,
    identity: persistedInstanceIdentity(config.instanceIdFile),
    runners: { shell: true, docker: true },
  });

  try {
    const info = await engine.info();
    recordEngineCgroup(info.cgroup);
    app.log.info(
      { docker: info.serverVersion, runtimes: info.runtimes, cgroup: info.cgroup },
      `Docker engine reachable; its host uses ${describeCgroupMode(info.cgroup)}`,
    );
  } catch (error) {
    app.log.warn(
      `Docker engine not reachable at ${config.dockerSocketPath} (${(error as Error).message}); ` +
        'serving the site with Run disabled until it is (start it with scripts/provision/docker-engine.sh)',
    );
  }
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
