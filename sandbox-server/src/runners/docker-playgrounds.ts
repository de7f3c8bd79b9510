/**
 * The docker runner's parts, wired the one way the server, the integration
 * tests and the benchmark all use: a pool of booted playgrounds, the session
 * store that hands them out, the runner that executes code in them, the terminals opened in them and
 * the previews of their published ports (whose listener the caller starts: Previews.listen).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { SharedCounters } from '../counters/counters.ts';
import type { Containers } from '../docker/containers.ts';
import type { Engine } from '../docker/engine.ts';
import { PlaygroundPool } from '../playground/playground-pool.ts';
import { SessionStore } from '../playground/session-store.ts';
import { Previews } from '../previews/previews.ts';
import { TerminalStore } from '../terminals/terminal-store.ts';
import { DockerRunner } from './docker-runner.ts';

export interface DockerPlaygrounds {
  pool: PlaygroundPool;
  sessions: SessionStore;
  runner: DockerRunner;
  terminals: TerminalStore;
  previews: Previews;
}

export function createDockerPlaygrounds(options: {
  config: Config;
  engine: Engine;
  containers: Containers;
  log: FastifyBaseLogger;
  /** The first part of every session id (cluster/session-id.ts). */
  nodeId: string;
  /** Where the per-client session limit is counted. */
  counters: SharedCounters;
  sweepIntervalMs: number;
  /** The session store's clock; unit tests move it by hand. */
  now?: () => number;
}): DockerPlaygrounds {
  const { config, engine, containers, log, nodeId, counters, sweepIntervalMs, now } = options;
  const pool = new PlaygroundPool({ config, engine, containers, log });
  const sessions = new SessionStore({
    nodeId,
    counters,
    limits: {
      idleTimeoutMs: config.sessionIdleTimeoutMs,
      maxLifetimeMs: config.sessionMaxLifetimeMs,
      perServer: config.sessionLimit,
      perClient: config.sessionLimitPerClient,
    },
    playgrounds: pool,
    log,
    sweepIntervalMs,
    ...(now === undefined ? {} : { now }),
  });
  const runner = new DockerRunner({ config, engine, pool, sessions });
  const terminals = new TerminalStore({ config, engine, sessions, log });
  const previews = new Previews({ config, engine, sessions, log });
  return { pool, sessions, runner, terminals, previews };
}
