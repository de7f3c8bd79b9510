/**
 * An in-process server with the docker runner (and the shell runner on request), for the playground
 * integration tests and `npm run bench:playground` / `bench:capacity`: the app with the real engine, a
 * playground pool and session store, driven with app.inject. Config comes from loadConfig with the caller's overrides over the
 * PLAYGROUND_* variables of the environment (so a developer can point both at another build).
 */
import { execFileSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { buildSandbox } from '../../sandbox-server/src/app.ts';
import { type Config, loadConfig } from '../../sandbox-server/src/config.ts';
import type { Containers } from '../../sandbox-server/src/docker/containers.ts';
import { type ContainerSummary, DockerEngine } from '../../sandbox-server/src/docker/engine.ts';
import { instanceFilter, newInstanceIdentity } from '../../sandbox-server/src/docker/labels.ts';
import type { PlaygroundPool } from '../../sandbox-server/src/playground/playground-pool.ts';
import type { SessionStore } from '../../sandbox-server/src/playground/session-store.ts';
import type { Previews } from '../../sandbox-server/src/previews/previews.ts';
import type { DockerPlaygrounds } from '../../sandbox-server/src/runners/docker-playgrounds.ts';
import type { RunResult } from '../../sandbox-server/src/runs/run-result.ts';

export interface PlaygroundServer {
  app: FastifyInstance;
  config: Config;
  engine: DockerEngine;
  containers: Containers;
  pool: PlaygroundPool;
  sessions: SessionStore;
  /** Its preview listener is not started: call `previews.listen('127.0.0.1', 0)` to test previews. */
  previews: Previews;
  newSession(client?: string): Promise<string>;
  deleteSession(id: string): Promise<number>;
  run(code: string, session?: string): Promise<RunResult>;
  /** Every container (running or not) carrying this server's instance label. */
  containersOfThisServer(): Promise<ContainerSummary[]>;
}

export async function startPlaygroundServer(
  env: Record<string, string> = {},
  { shell = false }: { shell?: boolean } = {},
): Promise<PlaygroundServer> {
  const passed = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('PLAYGROUND_') && entry[1] !== undefined,
    ),
  );
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '100000',
    // The loopback names with the port a request arrives on: app.inject's default Host (localhost:80, no
    // socket port, so the configured one) and a test that listens on a port of its own both pass.
    PORT: '80',
    PLAYGROUND_POOL_SIZE: '1',
    ...passed,
    ...env,
  });
  const engine = new DockerEngine({
    socketPath: config.dockerSocketPath,
    callTimeoutMs: config.dockerCallTimeoutMs,
  });
  const sandbox = await buildSandbox({
    config,
    engine,
    identity: newInstanceIdentity(),
    runners: { shell, docker: true },
    serveSite: false,
  });
  const { app, containers } = sandbox;
  const { pool, sessions, previews } = sandbox.playgrounds as DockerPlaygrounds;
  await app.ready();
  return {
    app,
    config,
    engine,
    containers,
    pool,
    sessions,
    previews,
    async newSession(client = '127.0.0.1') {
      const response = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        remoteAddress: client,
        payload: {},
      });
      if (response.statusCode !== 201)
        throw new Error(`POST /api/sessions: ${response.statusCode} ${response.body}`);
      return (response.json() as { id: string }).id;
    },
    async deleteSession(id) {
      return (await app.inject({ method: 'DELETE', url: `/api/sessions/${id}` })).statusCode;
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
    containersOfThisServer: () => engine.listContainers([instanceFilter(containers.instance)]),
  };
}

/** What `docker stats` reports for a container: layout-independent (cgroup v1/v2, cgroupfs/systemd). */
export function dockerStats(containerId: string): { pids: number; memoryMib: number } {
  const [pids = '', memory = ''] = execFileSync(
    'docker',
    ['stats', '--no-stream', '--format', '{{.PIDs}} {{.MemUsage}}', containerId],
    { encoding: 'utf8' },
  ).split(' ');
  return { pids: Number(pids), memoryMib: parseMib(memory) };
}

function parseMib(size: string): number {
  const match = /^([\d.]+)([KMG]i?B|B)$/.exec(size);
  if (!match) throw new Error(`unexpected docker stats size: ${size}`);
  const factor: Record<string, number> = { B: 1 / 1024 ** 2, KiB: 1 / 1024, MiB: 1, GiB: 1024 };
  return Number(match[1]) * (factor[match[2] ?? ''] ?? Number.NaN);
}
