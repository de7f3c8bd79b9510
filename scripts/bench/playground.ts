/**
 * `npm run bench:playground`: in one run, against the real engine and the images of `npm run images`,
 *  - session-to-first-output: POST /api/sessions, then `docker ps` in it, until its output arrives —
 *    cold (pool size 0: boot, daemon, catalog) and with the warm pool (refilled between samples);
 *  - `docker run --rm hello-world` latency inside a session;
 *  - memory of an idle, booted playground, as `docker stats` reports it (usage less inactive page
 *    cache: the same on cgroup v1 and v2).
 * Prints a table and writes bench-results/playground.json. BENCH_SAMPLES (default 7) samples each;
 * PLAYGROUND_* variables (e.g. PLAYGROUND_CATALOG_VOLUME) are read from the environment as the server would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerStats, startPlaygroundServer } from '../lib/playground-server.ts';
import { type SampleStats, sampleStats } from './stats.ts';
import { printTable } from './table.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 7);
/** Idle playgrounds measured for memory, and how long they are left alone after booting. */
const IDLE_PLAYGROUNDS = 3;
const IDLE_SETTLE_MS = 5_000;
const TARGET_POOLED_OVER_COLD = 0.15;
const TARGET_IDLE_MIB = 150;
const RESULTS = join(import.meta.dirname, '..', '..', 'bench-results', 'playground.json');

async function startServer(poolSize: number) {
  const server = await startPlaygroundServer({
    RATE_LIMIT_MAX: '100000',
    PLAYGROUND_POOL_SIZE: String(poolSize),
    SESSION_LIMIT: '100',
    SESSION_LIMIT_PER_CLIENT: '100',
  });
  const waitForPool = async () => {
    while (server.pool.health().ready < poolSize) {
      const { error } = server.pool.health();
      if (error !== undefined) throw new Error(`playground pool: ${error}`);
      await sleep(50);
    }
  };
  return { ...server, waitForPool };
}

type Server = Awaited<ReturnType<typeof startServer>>;

async function sessionToFirstOutput(server: Server): Promise<{ ms: number; id: string }> {
  const startedMs = performance.now();
  const id = await server.newSession();
  const result = await server.run('docker ps', id);
  if (!result.stdout.includes('CONTAINER ID')) throw new Error(`docker ps failed: ${JSON.stringify(result)}`);
  return { ms: performance.now() - startedMs, id };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((load) => Number(load.toFixed(2)));

  const cold = await startServer(0);
  const coldMs: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const { ms, id } = await sessionToFirstOutput(cold);
      coldMs.push(ms);
      await cold.deleteSession(id);
    }
  } finally {
    await cold.app.close();
  }

  const warm = await startServer(1);
  const pooledMs: number[] = [];
  const helloMs: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      await warm.waitForPool();
      const { ms, id } = await sessionToFirstOutput(warm);
      pooledMs.push(ms);
      await warm.deleteSession(id);
    }
    await warm.waitForPool();
    const session = await warm.newSession();
    for (let i = 0; i < SAMPLES; i++) {
      const startedMs = performance.now();
      const result = await warm.run('docker run --rm hello-world', session);
      if (!result.stdout.includes('Hello from Dockyard')) throw new Error(`hello-world: ${result.stderr}`);
      helloMs.push(performance.now() - startedMs);
    }
    await warm.deleteSession(session);
  } finally {
    await warm.app.close();
  }

  const idle = await startServer(IDLE_PLAYGROUNDS);
  const idleMib: number[] = [];
  try {
    await idle.waitForPool();
    await sleep(IDLE_SETTLE_MS);
    const playgrounds = await idle.containersOfThisServer();
    for (const playground of playgrounds) idleMib.push(dockerStats(playground.id).memoryMib);
  } finally {
    await idle.app.close();
  }

  const stats = {
    cold: sampleStats(coldMs),
    pooled: sampleStats(pooledMs),
    hello: sampleStats(helloMs),
    idle: sampleStats(idleMib),
  };
  const pooledOverCold = Number((stats.pooled.median / stats.cold.median).toFixed(3));
  const figures = {
    machine: { cores: availableParallelism(), loadAverageAtStart: loadAtStart },
    samples: SAMPLES,
    coldSessionToFirstOutputMs: stats.cold,
    pooledSessionToFirstOutputMs: stats.pooled,
    pooledOverCold: {
      value: pooledOverCold,
      target: TARGET_POOLED_OVER_COLD,
      met: pooledOverCold <= TARGET_POOLED_OVER_COLD,
    },
    helloWorldInSessionMs: stats.hello,
    idlePlaygroundMemoryMib: {
      ...stats.idle,
      target: TARGET_IDLE_MIB,
      met: stats.idle.max <= TARGET_IDLE_MIB,
    },
  };

  const range = (s: SampleStats) => `${s.min}–${s.max}`;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const rows: string[][] = [
    ['metric', 'median', 'min–max', 'target'],
    ['session → first `docker ps` output, cold', `${stats.cold.median} ms`, range(stats.cold), ''],
    ['session → first `docker ps` output, pooled', `${stats.pooled.median} ms`, range(stats.pooled), ''],
    [
      'pooled / cold',
      String(pooledOverCold),
      '',
      `≤ ${TARGET_POOLED_OVER_COLD} ${verdict(figures.pooledOverCold.met)}`,
    ],
    ['`docker run --rm hello-world` in a session', `${stats.hello.median} ms`, range(stats.hello), ''],
    [
      `idle playground memory (${idleMib.length} playgrounds)`,
      `${stats.idle.median} MiB`,
      range(stats.idle),
      `≤ ${TARGET_IDLE_MIB} MiB ${verdict(figures.idlePlaygroundMemoryMib.met)}`,
    ],
  ];
  console.log(
    `playground benchmark: ${SAMPLES} samples each, ${availableParallelism()} cores, load ${loadAtStart.join(' ')}`,
  );
  printTable(rows);
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`written to ${RESULTS}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
