/**
 * A real server for playground tests: the app with the real engine, a playground pool and session
 * store, driven with app.inject. Config comes from loadConfig with test overrides.
 */
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../../../sandbox-server/src/app.ts';
import { type Config, loadConfig } from '../../../sandbox-server/src/config.ts';
import { Containers } from '../../../sandbox-server/src/docker/containers.ts';
import { DockerEngine } from '../../../sandbox-server/src/docker/engine.ts';
import { newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import { PlaygroundPool } from '../../../sandbox-server/src/playground/playground-pool.ts';
import { SessionStore } from '../../../sandbox-server/src/playground/session-store.ts';
import { DockerRunner } from '../../../sandbox-server/src/runners/docker-runner.ts';
import type { RunResult } from '../../../sandbox-server/src/runs/run-result.ts';

export interface PlaygroundServer {
  app: FastifyInstance;
  config: Config;
  engine: DockerEngine;
  containers: Containers;
  sessions: SessionStore;
  newSession(client?: string): Promise<string>;
  run(code: string, session?: string): Promise<RunResult>;
}

export async function startPlaygroundServer(env: Record<string, string> = {}): Promise<PlaygroundServer> {
  const config = loadConfig({ LOG_LEVEL: 'silent', PLAYGROUND_POOL_SIZE: '1', ...env });
  const engine = new DockerEngine({
    socketPath: config.dockerSocketPath,
    callTimeoutMs: config.dockerCallTimeoutMs,
  });
  const containers = new Containers(engine, newInstanceIdentity());
  const deps: AppDeps = { config, engine, containers, runners: {}, serveSite: false };
  const app = await buildApp(deps);
  const pool = new PlaygroundPool({ config, engine, containers, log: app.log });
  const sessions = new SessionStore({
    limits: {
      idleTimeoutMs: config.sessionIdleTimeoutMs,
      maxLifetimeMs: config.sessionMaxLifetimeMs,
      perServer: config.sessionLimit,
      perClient: config.sessionLimitPerClient,
    },
    playgrounds: pool,
    log: app.log,
    sweepIntervalMs: 60_000,
  });
  deps.sessions = sessions;
  deps.runners.docker = new DockerRunner({
    engine,
    pool,
    sessions,
    runTimeoutMs: config.runTimeoutMs,
    runOutputLimitBytes: config.runOutputLimitBytes,
  });
  pool.start();
  await app.ready();
  return {
    app,
    config,
    engine,
    containers,
    sessions,
    async newSession(client = '127.0.0.1') {
      const response = await app.inject({ method: 'POST', url: '/api/sessions', remoteAddress: client });
      if (response.statusCode !== 201)
        throw new Error(`POST /api/sessions: ${response.statusCode} ${response.body}`);
      return (response.json() as { id: string }).id;
    },
    async run(code, session) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/run',
        payload: { runner: 'docker', code, ...(session === undefined ? {} : { session }) },
      });
      if (response.statusCode !== 200)
        throw new Error(`POST /api/run: ${response.statusCode} ${response.body}`);
      return response.json() as RunResult;
    },
  };
}
