/**
 * `npm run bench:sandbox`: the shell runner over HTTP, in one run, against the real engine.
 *
 * For each container runtime (runc, and runsc where the engine has it) the real server
 * (`node sandbox-server/src/server.ts`) is started twice — with its warm pool, and with the pool
 * disabled (SHELL_POOL_SIZE=0: a fresh container per run) — with otherwise default limits. Each
 * server is measured for: latency of `echo hello` arriving at an idle server (the pool refilled and
 * earlier containers removed before each run: what a reader pressing Run sees; pool and fresh
 * samples interleaved so both see the same machine load), throughput at
 * concurrency 1, 4 and 16 (closed loop, back to back: every run also pays for the engine creating
 * its replacement; 429 answers from the bounded queue are counted apart from errors),
 * containers left behind (while idle, and after SIGTERM), the server's RSS while 24 runs of `yes`
 * flood the output cap, and its peak RSS (VmHWM).
 * Prints a table and writes bench-results/sandbox.json.
 *
 *   BENCH_LATENCY_RUNS=30      runs for latency, each on an idle server
 *   BENCH_PHASE_SECONDS=12     length of each throughput phase
 *   BENCH_RUNTIMES=runc,runsc  runtimes to measure (runsc only if the engine has it)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerEngine } from '../../sandbox-server/src/docker/engine.ts';
import { LABEL_PID } from '../../sandbox-server/src/docker/labels.ts';
import { serverNodeArguments } from '../../sandbox-server/src/server-command.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS_FILE = join(ROOT, 'bench-results', 'sandbox.json');
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 30);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 12);
const RUNTIMES = (process.env.BENCH_RUNTIMES ?? 'runc,runsc').split(',').filter(Boolean);
const CONCURRENCIES = [1, 4, 16] as const;
const CODE = 'echo hello';
const SERVER_READY_WITHIN_MS = 90_000;
const IDLE_SETTLE_WITHIN_MS = 30_000;
const FLOOD_RUNS = 24;

const engine = new DockerEngine({ socketPath: '/var/run/docker.sock', callTimeoutMs: 15_000 });

interface Throughput {
  concurrency: number;
  seconds: number;
  runs: number;
  runsPerSecond: number;
  busy429: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
}

interface ScenarioResult {
  runtime: string;
  mode: 'pool' | 'fresh';
  poolSize: number;
  latency: { runs: number; p50Ms: number; p95Ms: number; minMs: number; maxMs: number; errors: number };
  throughput: Throughput[];
  /** FLOOD_RUNS runs of `yes` (each cut at the output cap) at concurrency 4: server RSS before/after. */
  outputFlood?: { runs: number; truncated: number; rssBeforeMiB: number; rssAfterMiB: number };
  leakedWhileIdle: number;
  leakedAfterShutdown: number;
  peakRssMiB: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index] ?? Number.NaN);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function runOnce(base: string): Promise<{ status: number; ms: number }> {
  const startedMs = performance.now();
  try {
    const response = await fetch(`${base}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runner: 'shell', code: CODE }),
    });
    const body = (await response.json()) as { stdout?: string };
    const ok = response.status === 200 && body.stdout === 'hello\n';
    return {
      status: ok ? 200 : response.status === 200 ? 599 : response.status,
      ms: performance.now() - startedMs,
    };
  } catch {
    return { status: 0, ms: performance.now() - startedMs };
  }
}

async function health(base: string): Promise<{ ready: number; target: number; inUse: number } | undefined> {
  try {
    const body = (await (await fetch(`${base}/api/health`)).json()) as {
      pools?: { shell?: { ready: number; target: number; inUse: number } };
    };
    return body.pools?.shell;
  } catch {
    return undefined;
  }
}

/** The pool is full (or, without a pool, nothing is running) and background removals are done. */
async function waitIdle(base: string, pid: number, poolSize: number): Promise<number> {
  const deadline = performance.now() + IDLE_SETTLE_WITHIN_MS;
  let extra = 0;
  while (performance.now() < deadline) {
    const pool = await health(base);
    const labelled = (await engine.listContainers([`${LABEL_PID}=${pid}`])).filter(
      (c) => c.labels['dockyard.role'] === 'shell',
    ).length;
    extra = labelled - poolSize;
    if (pool && pool.ready === poolSize && pool.inUse === 0 && extra === 0) return 0;
    await sleep(250);
  }
  return extra;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/^VmHWM:\s+(\d+) kB$/m)?.[1] ?? Number.NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

async function startServer(
  runtime: string,
  poolSize: number,
): Promise<{ child: ChildProcess; base: string; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, serverNodeArguments(ROOT), {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      LOG_LEVEL: 'error',
      SANDBOX_RUNTIME: runtime,
      SHELL_POOL_SIZE: String(poolSize),
      // Measured here: the shell runner alone. The bench is one client, so no per-IP limit.
      PLAYGROUND_POOL_SIZE: '0',
      RATE_LIMIT_MAX: '1000000',
      SITE_DIR: join(ROOT, 'no-site-for-bench'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + SERVER_READY_WITHIN_MS;
  for (;;) {
    const pool = await health(base);
    if (pool && pool.ready === poolSize) break;
    if (performance.now() > deadline)
      throw new Error(`server (${runtime}, pool ${poolSize}) not ready in time`);
    await sleep(200);
  }
  return { child, base, exited };
}

interface Server {
  mode: 'pool' | 'fresh';
  poolSize: number;
  child: ChildProcess;
  base: string;
  pid: number;
  exited: Promise<number | null>;
}

function latencyStats(times: number[], errors: number): ScenarioResult['latency'] {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs: times.length + errors,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    minMs: Math.round(sorted[0] ?? Number.NaN),
    maxMs: Math.round(sorted.at(-1) ?? Number.NaN),
    errors,
  };
}

/**
 * Runs on an idle server, pool and fresh samples interleaved: the load of a shared machine drifts,
 * and interleaving lets both paths see the same drift.
 */
async function measureLatency(
  servers: Server[],
  runs: number,
): Promise<Map<Server, ScenarioResult['latency']>> {
  const samples = new Map(servers.map((s) => [s, { times: [] as number[], errors: 0 }]));
  for (let i = 0; i < runs; i++) {
    for (const server of servers) {
      for (const s of servers) await waitIdle(s.base, s.pid, s.poolSize);
      const { status, ms } = await runOnce(server.base);
      const sample = samples.get(server);
      if (!sample) continue;
      if (status === 200) sample.times.push(ms);
      else sample.errors++;
    }
  }
  return new Map(
    servers.map((s) => [s, latencyStats(samples.get(s)?.times ?? [], samples.get(s)?.errors ?? 0)]),
  );
}

/** Server memory while snippets flood their output: VmRSS before and after, and the peak. */
async function measureOutputFlood(server: Server): Promise<ScenarioResult['outputFlood']> {
  await waitIdle(server.base, server.pid, server.poolSize);
  const rssBeforeMiB = rssMiB(server.pid);
  let truncated = 0;
  const floods = Array.from({ length: FLOOD_RUNS }, () => 'yes');
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let code = floods.pop(); code !== undefined; code = floods.pop()) {
        const response = await fetch(`${server.base}/api/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ runner: 'shell', code }),
        });
        if (((await response.json()) as { truncated?: boolean }).truncated) truncated++;
      }
    }),
  );
  return { runs: FLOOD_RUNS, truncated, rssBeforeMiB, rssAfterMiB: rssMiB(server.pid) };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round((Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? Number.NaN) / 1024) * 10) / 10;
}

async function measureThroughput(base: string, concurrency: number): Promise<Throughput> {
  const endAt = performance.now() + PHASE_SECONDS * 1000;
  const times: number[] = [];
  let busy429 = 0;
  let errors = 0;
  const startedMs = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endAt) {
        const { status, ms } = await runOnce(base);
        if (status === 200) times.push(ms);
        else if (status === 429) {
          busy429++;
          // A real client honours Retry-After; the bench just backs off briefly.
          await sleep(100);
        } else errors++;
      }
    }),
  );
  const seconds = (performance.now() - startedMs) / 1000;
  times.sort((a, b) => a - b);
  return {
    concurrency,
    seconds: Math.round(seconds * 10) / 10,
    runs: times.length,
    runsPerSecond: Math.round((times.length / seconds) * 100) / 100,
    busy429,
    errors,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
  };
}

async function measureRuntime(runtime: string): Promise<ScenarioResult[]> {
  const poolSize = Math.min(4, 2 * availableParallelism());
  const servers: Server[] = [];
  try {
    for (const [mode, size] of [
      ['pool', poolSize],
      ['fresh', 0],
    ] as const) {
      console.log(
        `[bench] ${runtime}: starting the server with ${mode === 'pool' ? `a pool of ${size}` : 'no pool'}`,
      );
      const { child, base, exited } = await startServer(runtime, size);
      servers.push({ mode, poolSize: size, child, base, pid: child.pid ?? 0, exited });
    }
    for (const server of servers) for (let i = 0; i < 3; i++) await runOnce(server.base); // warm-up
    const latency = await measureLatency(servers, LATENCY_RUNS);
    const results: ScenarioResult[] = [];
    for (const server of servers) {
      const ownLatency = latency.get(server) ?? latencyStats([], 0);
      console.log(
        `[bench]   ${server.mode}: idle latency p50 ${ownLatency.p50Ms} ms, p95 ${ownLatency.p95Ms} ms`,
      );
      const throughput: Throughput[] = [];
      for (const concurrency of CONCURRENCIES) {
        await waitIdle(server.base, server.pid, server.poolSize);
        const phase = await measureThroughput(server.base, concurrency);
        console.log(
          `[bench]   ${server.mode} c=${concurrency}: ${phase.runsPerSecond} runs/s, ${phase.errors} errors, ${phase.busy429} × 429`,
        );
        throughput.push(phase);
      }
      const outputFlood = server.mode === 'pool' ? await measureOutputFlood(server) : undefined;
      const leakedWhileIdle = await waitIdle(server.base, server.pid, server.poolSize);
      const peak = peakRssMiB(server.pid);
      server.child.kill('SIGTERM');
      await server.exited;
      const leakedAfterShutdown = (await engine.listContainers([`${LABEL_PID}=${server.pid}`])).length;
      results.push({
        runtime,
        mode: server.mode,
        poolSize: server.poolSize,
        latency: ownLatency,
        throughput,
        ...(outputFlood === undefined ? {} : { outputFlood }),
        leakedWhileIdle,
        leakedAfterShutdown,
        peakRssMiB: peak,
      });
    }
    return results;
  } finally {
    for (const server of servers) server.child.kill('SIGKILL');
  }
}

function table(results: ScenarioResult[]): string {
  const header = [
    'runtime',
    'path',
    'idle p50 ms',
    'idle p95 ms',
    'c=1 p50 ms',
    'c=1 runs/s',
    'c=4 runs/s',
    'c=16 runs/s',
    'errors',
    '429s',
    'leaked',
    'peak RSS MiB',
  ];
  const rows = results.map((r) => {
    const at = (c: number) => r.throughput.find((t) => t.concurrency === c);
    return [
      r.runtime,
      r.mode === 'pool' ? `pool (${r.poolSize})` : 'fresh container',
      String(r.latency.p50Ms),
      String(r.latency.p95Ms),
      String(at(1)?.p50Ms),
      String(at(1)?.runsPerSecond),
      String(at(4)?.runsPerSecond),
      String(at(16)?.runsPerSecond),
      String(r.latency.errors + r.throughput.reduce((sum, t) => sum + t.errors, 0)),
      String(r.throughput.reduce((sum, t) => sum + t.busy429, 0)),
      `${r.leakedWhileIdle} / ${r.leakedAfterShutdown}`,
      String(r.peakRssMiB),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const info = await engine.info();
  const runtimes = RUNTIMES.filter((r) => info.runtimes.includes(r));
  const loadBefore = loadavg();
  const results: ScenarioResult[] = [];
  for (const runtime of runtimes) results.push(...(await measureRuntime(runtime)));
  const verdicts = runtimes.map((runtime) => {
    const pool = results.find((r) => r.runtime === runtime && r.mode === 'pool');
    const fresh = results.find((r) => r.runtime === runtime && r.mode === 'fresh');
    const c4 = pool?.throughput.find((t) => t.concurrency === 4);
    const ratio =
      pool && fresh ? Math.round((pool.latency.p50Ms / fresh.latency.p50Ms) * 100) / 100 : Number.NaN;
    return {
      runtime,
      poolP50OverFreshP50: ratio,
      poolTargetMet: ratio <= 0.3,
      c4RunsPerSecond: c4?.runsPerSecond ?? 0,
      c4ErrorsZero: c4?.errors === 0,
      throughputTargetMet: (c4?.runsPerSecond ?? 0) >= 8 && c4?.errors === 0,
      noLeaks: results
        .filter((r) => r.runtime === runtime)
        .every((r) => r.leakedWhileIdle === 0 && r.leakedAfterShutdown === 0),
    };
  });
  const output = {
    date: new Date().toISOString(),
    machine: {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      dockerServer: info.serverVersion,
      loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
      loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    settings: {
      code: CODE,
      latencyRuns: LATENCY_RUNS,
      phaseSeconds: PHASE_SECONDS,
      concurrencies: CONCURRENCIES,
    },
    results,
    verdicts,
  };
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\n${table(results)}\n`);
  for (const v of verdicts) {
    console.log(
      `${v.runtime}: pool p50 = ${v.poolP50OverFreshP50} × fresh p50 (target ≤ 0.3: ${v.poolTargetMet ? 'met' : 'NOT met'}); ` +
        `c=4: ${v.c4RunsPerSecond} runs/s with ${v.c4ErrorsZero ? 'zero' : 'some'} errors ` +
        `(target ≥ 8: ${v.throughputTargetMet ? 'met' : 'NOT met'}); leaks: ${v.noLeaks ? 'none' : 'SOME'}`,
    );
  }
  for (const r of results) {
    if (r.outputFlood) {
      const f = r.outputFlood;
      console.log(
        `${r.runtime}: ${f.runs} × \`yes\` (${f.truncated} truncated at the cap): server RSS ${f.rssBeforeMiB} MiB before, ${f.rssAfterMiB} MiB after`,
      );
    }
  }
  console.log(
    `load average before/after: ${output.machine.loadAverageBefore.join(' ')} / ${output.machine.loadAverageAfter.join(' ')}`,
  );
  console.log(`written to ${RESULTS_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
