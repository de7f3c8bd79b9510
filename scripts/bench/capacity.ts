/**
 * `npm run bench:capacity`: what one node holds, against the real engine and the images of `npm run images`.
 *
 *  (a) Idle playgrounds: sessions are opened one after another and left idle, while one more session is
 *      kept busy. After each new session (and the warm pool's refill) the busy session runs
 *      `docker run --rm busybox echo` SAMPLES times and the time to its first output is taken, with the
 *      host's memory (/proc/meminfo), its CPU use (/proc/stat) and processes, and what `docker stats`
 *      says the playgrounds hold. It stops at the first of: the busy session's p95 ≥ 2 s, less than
 *      2 GiB of the host's memory available, a session that cannot be opened, --max-playgrounds,
 *      --max-minutes; the stop reason is what bound the count.
 *  (b) Shell runs per second: closed-loop clients posting `echo hello` for --phase-seconds at
 *      concurrency 4 and 16 (the server's own RUN_CONCURRENCY executes; its queue is raised so the
 *      clients wait instead of getting 429), with p50/p95 and errors.
 *
 * The server is the one composition (buildSandbox, in this process, listening on loopback) with the
 * derived defaults except the limits the bench must lift (sessions, per-client quotas). Prints a table and
 * writes bench-results/capacity.json; closing the server removes every container it started.
 *
 *   npm run bench:capacity -- --max-playgrounds 60 --max-minutes 20 --phase-seconds 45 --samples 10
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type PlaygroundServer, startPlaygroundServer } from '../lib/playground-server.ts';
import { significant } from './stats.ts';
import { printTable } from './table.ts';

const { values: flags } = parseArgs({
  options: {
    'max-playgrounds': { type: 'string', default: '60' },
    'max-minutes': { type: 'string', default: '20' },
    'phase-seconds': { type: 'string', default: '45' },
    samples: { type: 'string', default: '10' },
  },
});
const MAX_PLAYGROUNDS = positive(flags['max-playgrounds'], '--max-playgrounds');
const MAX_MINUTES = positive(flags['max-minutes'], '--max-minutes');
const PHASE_SECONDS = positive(flags['phase-seconds'], '--phase-seconds');
const SAMPLES = positive(flags.samples, '--samples');

/** The bound on a busy reader: first output of a run within 2 s at the 95th percentile. */
const FIRST_OUTPUT_P95_LIMIT_MS = 2_000;
/** Host memory kept free for the engine, the server, shell runs and the page cache. */
const MEMORY_HEADROOM_MIB = 2_048;
const CONCURRENCIES = [4, 16] as const;
/**
 * After a new playground's boot and the pool's refill: a quiet window in which the host's CPU use is what
 * the idle playgrounds (and the rest of the machine) cost, before the busy session is measured.
 */
const IDLE_WINDOW_MS = 3_000;
const POOL_REFILL_WITHIN_MS = 120_000;
const PROBE = 'docker run --rm busybox echo capacity-probe';
/** Longer than the idle-playground phase can last. */
const SESSION_OUTLIVES_BENCH_MS = (MAX_MINUTES + 30) * 60_000;
const RESULTS = join(import.meta.dirname, '..', '..', 'bench-results', 'capacity.json');

function positive(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${name} wants a positive integer, got ${value}`);
  return number;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN,
  );
}

function meminfoMib(): { totalMib: number; availableMib: number } {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    totalMib: Math.round(kib('MemTotal') / 1024),
    availableMib: Math.round(kib('MemAvailable') / 1024),
  };
}

/** Busy and total jiffies of all CPUs since boot (/proc/stat's first line). */
function cpuTimes(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

function hostProcesses(): number {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
}

/** Time from POST /api/run to the first stdout event of its SSE stream, then the stream is read to its end. */
async function firstOutputMs(base: string, session: string, code: string): Promise<number> {
  const startedMs = performance.now();
  const response = await fetch(`${base}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ runner: 'docker', code, session }),
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`POST /api/run: ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = '';
  let firstMs: number | undefined;
  for await (const chunk of response.body) {
    text += decoder.decode(chunk, { stream: true });
    if (firstMs === undefined && text.includes('event: stdout')) firstMs = performance.now() - startedMs;
  }
  const exit = /event: exit\ndata: (.*)\n/.exec(text)?.[1];
  const result = exit === undefined ? undefined : (JSON.parse(exit) as { exitCode: number | null });
  if (firstMs === undefined || result?.exitCode !== 0)
    throw new Error(`probe run failed: ${text.slice(-500)}`);
  return firstMs;
}

interface PlaygroundStats {
  playgrounds: number;
  memoryMib: number;
  pids: number;
}

/** One `docker stats` call over every playground of this server: memory less page cache, tasks. */
async function playgroundStats(server: PlaygroundServer): Promise<PlaygroundStats> {
  const ids = (await server.containersOfThisServer())
    .filter((container) => container.labels['dockyard.role'] === 'playground')
    .map((container) => container.id);
  if (ids.length === 0) return { playgrounds: 0, memoryMib: 0, pids: 0 };
  const lines = execFileSync(
    'docker',
    ['stats', '--no-stream', '--format', '{{.PIDs}} {{.MemUsage}}', ...ids],
    {
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n');
  let memoryMib = 0;
  let pids = 0;
  for (const line of lines) {
    const [taskCount = '0', usage = '0B'] = line.split(' ');
    pids += Number(taskCount);
    memoryMib += parseMib(usage);
  }
  return { playgrounds: ids.length, memoryMib: Math.round(memoryMib), pids };
}

function parseMib(size: string): number {
  const match = /^([\d.]+)([KMG]i?B|B)$/.exec(size);
  const factor: Record<string, number> = { B: 1 / 1024 ** 2, KiB: 1 / 1024, MiB: 1, GiB: 1024 };
  return match ? Number(match[1]) * (factor[match[2] ?? ''] ?? Number.NaN) : Number.NaN;
}

async function waitForPool(server: PlaygroundServer): Promise<void> {
  const deadline = performance.now() + POOL_REFILL_WITHIN_MS;
  for (;;) {
    const health = server.pool.health();
    if (health.ready >= health.target) return;
    if (health.error !== undefined) throw new Error(`playground pool: ${health.error}`);
    if (performance.now() > deadline) throw new Error('the playground pool did not refill in time');
    await sleep(200);
  }
}

interface Step {
  idlePlaygrounds: number;
  elapsedSeconds: number;
  firstOutputP50Ms: number;
  firstOutputP95Ms: number;
  hostMemoryAvailableMib: number;
  /** Host CPU use in the quiet window before the probes, all cores = 100 %. */
  hostCpuIdleWindowPercent: number;
  /** Host CPU use while the busy session's probes ran. */
  hostCpuBusyPercent: number;
  loadAverage1m: number;
  hostProcesses: number;
  playgroundMemoryMib: number;
  playgroundPids: number;
}

const benchStartedMs = performance.now();

function busyShare(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  return Math.round((100 * (after.busy - before.busy)) / (after.total - before.total));
}

async function measureStep(
  server: PlaygroundServer,
  base: string,
  busy: string,
  idle: number,
): Promise<Step> {
  await waitForPool(server);
  // Every session opened so far (the busy one and `idle` idle ones) must still be live, or the step
  // would measure fewer playgrounds than it reports.
  if (server.sessions.size !== idle + 1) {
    throw new Error(
      `${idle + 1} sessions opened but ${server.sessions.size} live: a session ended during the bench`,
    );
  }
  const windowStart = cpuTimes();
  await sleep(IDLE_WINDOW_MS);
  const cpuBefore = cpuTimes();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await firstOutputMs(base, busy, PROBE));
  const cpuAfter = cpuTimes();
  const stats = await playgroundStats(server);
  return {
    idlePlaygrounds: idle,
    elapsedSeconds: Math.round((performance.now() - benchStartedMs) / 1_000),
    firstOutputP50Ms: percentile(samples, 50),
    firstOutputP95Ms: percentile(samples, 95),
    hostMemoryAvailableMib: meminfoMib().availableMib,
    hostCpuIdleWindowPercent: busyShare(windowStart, cpuBefore),
    hostCpuBusyPercent: busyShare(cpuBefore, cpuAfter),
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(1)),
    hostProcesses: hostProcesses(),
    playgroundMemoryMib: stats.memoryMib,
    playgroundPids: stats.pids,
  };
}

/** Opens sessions until a bound is met; their ids go into `opened` (the caller deletes them). */
async function idlePlaygrounds(server: PlaygroundServer, base: string, opened: string[]) {
  const deadlineMs = performance.now() + MAX_MINUTES * 60_000;
  const busy = await server.newSession();
  opened.push(busy);
  const steps: Step[] = [await measureStep(server, base, busy, 0)];
  let bound = `--max-playgrounds ${MAX_PLAYGROUNDS} reached`;
  for (let idle = 1; idle <= MAX_PLAYGROUNDS; idle++) {
    try {
      opened.push(await server.newSession());
    } catch (error) {
      bound = `playground ${idle} could not start: ${(error as Error).message}`;
      break;
    }
    const step = await measureStep(server, base, busy, idle);
    steps.push(step);
    console.log(
      `${idle} idle (${step.elapsedSeconds} s): first output p50 ${step.firstOutputP50Ms} ms, ` +
        `p95 ${step.firstOutputP95Ms} ms; host ${step.hostMemoryAvailableMib} MiB available, ` +
        `CPU ${step.hostCpuIdleWindowPercent} % idle / ${step.hostCpuBusyPercent} % busy, load ${step.loadAverage1m}`,
    );
    if (step.firstOutputP95Ms >= FIRST_OUTPUT_P95_LIMIT_MS) {
      bound = `latency: the busy session's first-output p95 reached ${step.firstOutputP95Ms} ms (CPU)`;
      break;
    }
    if (step.hostMemoryAvailableMib < MEMORY_HEADROOM_MIB) {
      bound = `memory: less than ${MEMORY_HEADROOM_MIB} MiB of the host's memory available`;
      break;
    }
    if (performance.now() > deadlineMs) {
      bound = `--max-minutes ${MAX_MINUTES} elapsed`;
      break;
    }
  }
  const first = steps[0] as Step;
  const last = steps.at(-1) as Step;
  const added = last.idlePlaygrounds - first.idlePlaygrounds;
  const hostMibPerPlayground =
    added > 0 ? (first.hostMemoryAvailableMib - last.hostMemoryAvailableMib) / added : Number.NaN;
  const statsMibPerPlayground =
    added > 0 ? (last.playgroundMemoryMib - first.playgroundMemoryMib) / added : Number.NaN;
  return {
    reached: last.idlePlaygrounds,
    bound,
    hostMibPerIdlePlayground: significant(hostMibPerPlayground),
    dockerStatsMibPerIdlePlayground: significant(statsMibPerPlayground),
    pidsPerIdlePlayground:
      added > 0 ? significant((last.playgroundPids - first.playgroundPids) / added) : Number.NaN,
    /**
     * How many idle playgrounds the memory available at the start would hold, at the larger of the two
     * measured costs (the host's figure moves with everything else running on a shared machine).
     */
    memoryProjectedPlaygrounds: projectByMemory(
      first.hostMemoryAvailableMib,
      Math.max(hostMibPerPlayground, statsMibPerPlayground),
    ),
    steps,
  };
}

function projectByMemory(availableMib: number, mibPerPlayground: number): number | null {
  return Number.isFinite(mibPerPlayground) && mibPerPlayground > 0
    ? Math.floor((availableMib - MEMORY_HEADROOM_MIB) / mibPerPlayground)
    : null;
}

interface Throughput {
  concurrency: number;
  seconds: number;
  runs: number;
  runsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  busy429: number;
  errors: number;
}

async function shellThroughput(base: string, concurrency: number): Promise<Throughput> {
  const endMs = performance.now() + PHASE_SECONDS * 1_000;
  const latencies: number[] = [];
  let busy429 = 0;
  let errors = 0;
  const client = async () => {
    while (performance.now() < endMs) {
      const startedMs = performance.now();
      try {
        const response = await fetch(`${base}/api/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ runner: 'shell', code: 'echo hello' }),
        });
        const body = (await response.json()) as { stdout?: string };
        if (response.status === 429) busy429++;
        else if (response.status === 200 && body.stdout === 'hello\n')
          latencies.push(performance.now() - startedMs);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const startedMs = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - startedMs) / 1_000;
  return {
    concurrency,
    seconds: Number(seconds.toFixed(1)),
    runs: latencies.length,
    runsPerSecond: significant(latencies.length / seconds),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    busy429,
    errors,
  };
}

async function waitForShellPool(base: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const body = (await (await fetch(`${base}/api/health`)).json()) as {
      pools?: { shell?: { ready: number; target: number } };
    };
    const shell = body.pools?.shell;
    if (shell && shell.ready >= shell.target) return;
    await sleep(200);
  }
  throw new Error('the shell pool did not fill in time');
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((load) => Number(load.toFixed(2)));
  const server = await startPlaygroundServer(
    {
      SESSION_LIMIT: String(MAX_PLAYGROUNDS + 1),
      SESSION_LIMIT_PER_CLIENT: String(MAX_PLAYGROUNDS + 1),
      // Idle sessions must outlive the bench: with the default idle timeout (10 min) the first ones
      // ended during a long run and the count stopped meaning "held at once".
      SESSION_IDLE_TIMEOUT_MS: String(SESSION_OUTLIVES_BENCH_MS),
      SESSION_MAX_LIFETIME_MS: String(SESSION_OUTLIVES_BENCH_MS),
      RUN_CONCURRENCY_PER_CLIENT: '256',
      RUN_QUEUE_LIMIT_PER_CLIENT: '10000',
      RUN_QUEUE_LIMIT: '256',
    },
    { shell: true },
  );
  const stop = () => void server.app.close().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const engine = await server.engine.info();
    const host = meminfoMib();

    const opened: string[] = [];
    const idle = await idlePlaygrounds(server, base, opened);
    for (const id of opened) await server.deleteSession(id);

    const throughput: Throughput[] = [];
    for (const concurrency of CONCURRENCIES) {
      await waitForShellPool(base);
      throughput.push(await shellThroughput(base, concurrency));
    }

    const figures = {
      machine: {
        cores: availableParallelism(),
        memoryMib: host.totalMib,
        engineCpus: engine.cpus,
        engineMemoryMib: Math.round(engine.memoryBytes / 1024 ** 2),
        loadAverageAtStart: loadAtStart,
      },
      settings: {
        maxPlaygrounds: MAX_PLAYGROUNDS,
        maxMinutes: MAX_MINUTES,
        phaseSeconds: PHASE_SECONDS,
        samples: SAMPLES,
        runConcurrency: server.config.runConcurrency,
        shellPoolSize: server.config.shellPoolSize,
        playgroundPoolSize: server.config.playgroundPoolSize,
        playgroundMemoryLimitMib: server.config.playgroundMemoryLimitMib,
      },
      idlePlaygrounds: idle,
      shellThroughput: throughput,
    };

    console.log(
      `\ncapacity benchmark: ${figures.machine.cores} cores, ${host.totalMib} MiB, load at start ${loadAtStart.join(' ')}`,
    );
    printTable([
      [
        'idle playgrounds',
        'first output p50',
        'p95',
        'host available',
        'host CPU idle / busy',
        'load',
        'playgrounds (stats)',
        'pids',
      ],
      ...idle.steps.map((step) => [
        String(step.idlePlaygrounds),
        `${step.firstOutputP50Ms} ms`,
        `${step.firstOutputP95Ms} ms`,
        `${step.hostMemoryAvailableMib} MiB`,
        `${step.hostCpuIdleWindowPercent} % / ${step.hostCpuBusyPercent} %`,
        String(step.loadAverage1m),
        `${step.playgroundMemoryMib} MiB`,
        String(step.playgroundPids),
      ]),
    ]);
    console.log(
      `reached ${idle.reached} idle playgrounds (+1 busy); bound: ${idle.bound}\n` +
        `per idle playground: ${idle.hostMibPerIdlePlayground} MiB of host memory, ` +
        `${idle.dockerStatsMibPerIdlePlayground} MiB in docker stats, ${idle.pidsPerIdlePlayground} tasks; ` +
        `memory alone would hold ${idle.memoryProjectedPlaygrounds ?? '?'}\n`,
    );
    printTable([
      ['shell runs', 'runs/s', 'p50', 'p95', 'runs', '429', 'errors'],
      ...throughput.map((t) => [
        `concurrency ${t.concurrency} (${t.seconds} s)`,
        String(t.runsPerSecond),
        `${t.p50Ms} ms`,
        `${t.p95Ms} ms`,
        String(t.runs),
        String(t.busy429),
        String(t.errors),
      ]),
    ]);
    console.log(JSON.stringify(figures));
    mkdirSync(join(RESULTS, '..'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`written to ${RESULTS}`);
  } finally {
    await server.app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
