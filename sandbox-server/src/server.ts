/**
 * Entry point: `node sandbox-server/src/server.ts`. Reads the config, wires
 * the real Docker engine, the container registry and the runners into the
 * app, serves the built site and the API on one port (and previews of the
 * playgrounds' published ports on PREVIEW_PORT). SIGTERM drains the node
 * first (cluster/drain.ts: not ready, no new sessions, runs in flight finish,
 * sessions end with a notice), then closes the app — which kills and removes
 * every container it started; SIGINT (Ctrl+C) closes at once.
 * Without a reachable engine the server still starts (the site is served,
 * runs answer 503, /api/health says why).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildSandbox } from './app.ts';
import { engineCapacity, localCapacity } from './capacity-defaults.ts';
import { ConfigError, loadConfig } from './config.ts';
import { describeCgroupMode } from './docker/cgroup-mode.ts';
import { DockerEngine } from './docker/engine.ts';
import { persistedInstanceIdentity } from './docker/labels.ts';
import { recordEngineCgroup } from './observability/metrics.ts';

/** How long closing may take after the drain: stopping runs, removing containers. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Optional local settings (see .env.example); variables already set in the environment win. */
const ENV_FILE = join(import.meta.dirname, '..', '..', '.env');

async function main(): Promise<void> {
  if (existsSync(ENV_FILE)) process.loadEnvFile(ENV_FILE);
  const engineSettings = loadConfig();
  const engine = new DockerEngine({
    socketPath: engineSettings.dockerSocketPath,
    callTimeoutMs: engineSettings.dockerCallTimeoutMs,
  });
  // The machine-dependent defaults are derived for the engine's host, where the containers run.
  const info = await engine
    .info()
    .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const host = info instanceof Error ? localCapacity() : engineCapacity(info);
  const config = loadConfig(process.env, host);
  const { app, drain, nodeId, playgrounds } = await buildSandbox({
    config,
    engine,
    identity: persistedInstanceIdentity(config.instanceIdFile),
    runners: { shell: true, docker: true },
  });

  if (info instanceof Error) {
    app.log.warn(
      `Docker engine not reachable at ${config.dockerSocketPath} (${info.message}); ` +
        'serving the site with Run disabled until it is (start it with scripts/provision/docker-engine.sh)',
    );
  } else {
    recordEngineCgroup(info.cgroup);
    app.log.info(
      { docker: info.serverVersion, runtimes: info.runtimes, cgroup: info.cgroup },
      `Docker engine reachable; its host uses ${describeCgroupMode(info.cgroup)}`,
    );
  }
  app.log.info(
    { host, sessionLimit: config.sessionLimit, runConcurrency: config.runConcurrency },
    'capacity (variables set in the environment win over the derived defaults)',
  );
  let closing = false;
  const shutdown = (signal: string, drainFirst: boolean) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, node: nodeId }, 'shutting down');
    setTimeout(
      () => {
        app.log.error('shutdown took too long; exiting');
        process.exit(1);
      },
      (drainFirst ? config.drainTimeoutMs : 0) + SHUTDOWN_TIMEOUT_MS,
    ).unref();
    (drainFirst ? drain.run() : Promise.resolve())
      .then(() => {
        app.log.info('removing sandbox containers');
        return app.close();
      })
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM', true));
  process.once('SIGINT', () => shutdown('SIGINT', false));

  await app.listen({ host: config.host, port: config.port });
  // Published ports are shown on an origin of their own, never the site's (previews/previews.ts).
  await playgrounds?.previews.listen(config.previewHost || config.host, config.previewPort);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
