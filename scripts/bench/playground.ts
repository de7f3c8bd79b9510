/**
 * `npm run bench:playground`: in one run, against the real engine,
 *  - session-to-first-output: POST /api/sessions, then `docker ps` in it, until its output arrives —
 *    with the warm pool (the pool refilled between samples) and cold (pool size 0: boot + catalog);
 *  - `docker run --rm hello-world` latency inside a session;
 *  - memory of an idle, booted playground (its cgroup's usage without page cache, as `docker stats`).
 * Prints the figures and writes bench-results/playground.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppDeps, buildApp } from '../../sandbox-server/src/app.ts';
import { loadConfig } from '../../sandbox-server/src/config.ts';
import { Containers } from '../../sandbox-server/src/docker/containers.ts';
import { DockerEngine } from '../../sandbox-server/src/docker/engine.ts';
import { newInstanceIdentity } from '../../sandbox-server/src/docker/labels.ts';
import { PlaygroundPool } from '../../sandbox-server/src/playground/playground-pool.ts';
import { SessionStore } from '../../sandbox-server/src/playground/session-store.ts';
import { DockerRunner } from '../../sandbox-server/src/runners/docker-runner.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 7);
const RESULTS = join(import.meta.dirname, '..', '..', 'bench-results', 'playground.json');

async function server(poolSize: number) {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', PLAYGROUND_POOL_SIZE: String(poolSize) });
  const engine = new DockerEngine({
    socketPath: config.dockerSocketPath,
    callTimeoutMs: config.dockerCallTimeoutMs,
  });
  const containers = new Containers(engine, newInstanceIdentity());
  const deps: AppDeps = { config, engine, containers, runners: {}, serveSite: false };
  const app = await buildApp(deps);
  const pool = new PlaygroundPool({ config, engine, containers, log: app.log });
  const sessions = new SessionStore({
    limits: { idleTimeoutMs: 600_000, maxLifetimeMs: 1_800_000, perServer: 100, perClient: 100 },
    playgrounds: pool,
    log: app.log,
    sweepIntervalMs: 60_000,
  });
  deps.sessions = sessions;
  deps.runners.docker = new DockerRunner({
    engine,
    pool,
    sessions,
    runTimeoutMs: 30_000,
    runOutputLimitBytes: 65_536,
  });
  pool.start();
  await app.ready();
  const run = async (code: string, session: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'docker', code, session },
    });
    return response.json() as { stdout: string; exitCode: number };
  };
  const waitForPool = async () => {
    while (pool.health().ready < poolSize) await sleep(50);
  };
  return { app, pool, engine, run, waitForPool };
}

async function sessionToFirstOutput(
  s: Awaited<ReturnType<typeof server>>,
): Promise<{ ms: number; id: string }> {
  const startedMs = performance.now();
  const created = await s.app.inject({ method: 'POST', url: '/api/sessions' });
  const { id } = created.json() as { id: string };
  const result = await s.run('docker ps', id);
  if (!result.stdout.includes('CONTAINER ID')) throw new Error(`docker ps failed: ${JSON.stringify(result)}`);
  return { ms: performance.now() - startedMs, id };
}

const p50 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};
const round = (ms: number) => Math.round(ms);

function idleMemoryMib(containerId: string): number {
  const dir = `/sys/fs/cgroup/memory/docker/${containerId}`;
  const usage = Number(readFileSync(`${dir}/memory.usage_in_bytes`, 'utf8'));
  const stat = readFileSync(`${dir}/memory.stat`, 'utf8');
  const inactiveFile = Number(/^total_inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
  return (usage - inactiveFile) / 1024 / 1024;
}

async function main(): Promise<void> {
  const cold = await server(0);
  const coldMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { ms, id } = await sessionToFirstOutput(cold);
    coldMs.push(ms);
    await cold.app.inject({ method: 'DELETE', url: `/api/sessions/${id}` });
  }
  await cold.app.close();

  const warm = await server(1);
  await warm.waitForPool();
  const pooledMs: number[] = [];
  let helloSession = '';
  for (let i = 0; i < SAMPLES; i++) {
    await warm.waitForPool();
    const { ms, id } = await sessionToFirstOutput(warm);
    pooledMs.push(ms);
    if (i === 0) helloSession = id;
    else await warm.app.inject({ method: 'DELETE', url: `/api/sessions/${id}` });
  }
  const helloMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const startedMs = performance.now();
    const result = await warm.run('docker run --rm hello-world', helloSession);
    if (!result.stdout.includes('Hello from Dockyard')) throw new Error('hello-world failed');
    helloMs.push(performance.now() - startedMs);
  }
  await warm.app.inject({ method: 'DELETE', url: `/api/sessions/${helloSession}` });
  // Idle: the pool's booted playground, left alone for a few seconds after it booted.
  await warm.waitForPool();
  await sleep(5_000);
  const [idle] = await warm.engine.listContainers(['dockyard.role=playground']);
  const memoryMib = idle === undefined ? Number.NaN : idleMemoryMib(idle.id);
  await warm.app.close();

  const figures = {
    samples: SAMPLES,
    coldSessionToFirstOutputMs: { p50: round(p50(coldMs)), all: coldMs.map(round) },
    pooledSessionToFirstOutputMs: { p50: round(p50(pooledMs)), all: pooledMs.map(round) },
    pooledOverCold: Number((p50(pooledMs) / p50(coldMs)).toFixed(3)),
    helloWorldInSessionMs: { p50: round(p50(helloMs)), all: helloMs.map(round) },
    idlePlaygroundMemoryMib: Number(memoryMib.toFixed(1)),
  };
  console.log(
    `cold session → docker ps output      p50 ${figures.coldSessionToFirstOutputMs.p50} ms  (${figures.coldSessionToFirstOutputMs.all.join(', ')})`,
  );
  console.log(
    `pooled session → docker ps output    p50 ${figures.pooledSessionToFirstOutputMs.p50} ms  (${figures.pooledSessionToFirstOutputMs.all.join(', ')})`,
  );
  console.log(`pooled / cold                        ${figures.pooledOverCold}  (target ≤ 0.15)`);
  console.log(
    `docker run --rm hello-world          p50 ${figures.helloWorldInSessionMs.p50} ms  (${figures.helloWorldInSessionMs.all.join(', ')})`,
  );
  console.log(`idle playground memory               ${figures.idlePlaygroundMemoryMib} MiB  (target ≤ 150)`);
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(figures, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
