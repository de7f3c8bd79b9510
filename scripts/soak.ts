/**
 * `npm run soak` (not part of CI): the real server (`node sandbox-server/src/server.ts`) under mixed,
 * partly hostile traffic for a bounded time, then SIGTERM. Eight workers from distinct loopback
 * addresses send, over and over: ordinary shell runs, runs that hit a limit (wall time, output cap,
 * memory), hostile requests (bad JSON, wrong content type, oversized body, rebinding Host, cross-site
 * Origin, an absolute-form target, a forged-trailer flood) and playground sessions (create, run, delete).
 * A ninth, "normal" client runs `echo hello` once a second and its latency is recorded. Prints:
 * unexpected 5xx answers, containers left behind after shutdown, server RSS at start and end, and the
 * p95 of the normal client. Targets: 0 leaks, 0 unexpected 5xx, RSS growth under 50 MiB. RSS is also
 * sampled every minute: a curve that flattens after warm-up (V8's heap and code space growing to their
 * working size) is not a leak; one that keeps climbing is.
 *
 *   SOAK_MINUTES=10   how long the traffic lasts (bounded: at most 60)
 *   SOAK_WORKERS=8    concurrency of the mixed traffic
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerEngine } from '../sandbox-server/src/docker/engine.ts';
import { LABEL_PID } from '../sandbox-server/src/docker/labels.ts';
import { serverNodeArguments } from '../sandbox-server/src/server-command.ts';
import { freePort } from './lib/free-port.ts';

const ROOT = join(import.meta.dirname, '..');
const MINUTES = Math.min(60, Number(process.env.SOAK_MINUTES ?? 10));
const WORKERS = Number(process.env.SOAK_WORKERS ?? 8);
const READY_WITHIN_MS = 120_000;
const NORMAL_CLIENT = '127.0.0.3';

interface Answer {
  status: number;
  body: string;
}

let port = 0;

function send(options: {
  method?: string;
  target?: string;
  headers?: Record<string, string>;
  body?: string;
  from: string;
}): Promise<Answer> {
  const body = options.body ?? '';
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.target ?? '/api/run',
        localAddress: options.from,
        setHost: false,
        headers: {
          host: `127.0.0.1:${port}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...options.headers,
        },
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

const run = (from: string, code: string, runner = 'shell', session?: string) =>
  send({ from, body: JSON.stringify({ runner, code, ...(session ? { session } : {}) }) });

/** One step of a worker's traffic, picked in turn. */
const STEPS: Array<(from: string) => Promise<Answer[]>> = [
  async (from) => [await run(from, 'echo ok; ls / | wc -l')],
  async (from) => [await run(from, 'sleep 60')],
  async (from) => [await run(from, 'yes')],
  async (from) => [await run(from, 'x=a; while true; do x=$x$x; done')],
  async (from) => [await run(from, `printf '\\0%032x ' 0; head -c 20000000 /dev/zero | tr '\\0' 7`)],
  async (from) => [
    await send({ from, body: '{"runner":' }),
    await send({
      from,
      body: 'runner=shell&code=id',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    await send({ from, body: JSON.stringify({ runner: 'shell', code: 'x'.repeat(200_000) }) }),
    await send({
      from,
      body: JSON.stringify({ runner: 'shell', code: 'id' }),
      headers: { host: 'attacker.invalid' },
    }),
    await send({
      from,
      body: JSON.stringify({ runner: 'shell', code: 'id' }),
      headers: { origin: 'http://attacker.invalid' },
    }),
    await send({
      from,
      target: `http://127.0.0.1:${port}/api/run`,
      body: JSON.stringify({ runner: 'shell', code: 'id' }),
    }),
    await send({ from, method: 'GET', target: '/api/health' }),
  ],
  async (from) => {
    const created = await send({ from, target: '/api/sessions', body: '{}' });
    if (created.status !== 201) return [created];
    const { id } = JSON.parse(created.body) as { id: string };
    const ran = await run(
      from,
      'docker run --rm hello-world >/dev/null && docker ps -q | wc -l',
      'docker',
      id,
    );
    const deleted = await send({ from, method: 'DELETE', target: `/api/sessions/${id}` });
    return [created, ran, deleted];
  },
];

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function rssMib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? Number.NaN) / 1024;
}

/** "RSS/heap/external" in MiB: the server's own view (its /metrics) tells a V8 heap leak from buffers. */
async function memorySample(pid: number): Promise<string> {
  const metrics = (await send({ from: '127.0.0.1', method: 'GET', target: '/metrics' })).body;
  const mib = (name: string) => {
    const bytes = Number(metrics.match(new RegExp(`^dockyard_${name} (\\S+)$`, 'm'))?.[1]);
    return (bytes / 2 ** 20).toFixed(1);
  };
  return `${rssMib(pid).toFixed(1)}/${mib('nodejs_heap_size_used_bytes')}/${mib('nodejs_external_memory_bytes')}`;
}

async function waitReady(): Promise<void> {
  const deadline = performance.now() + READY_WITHIN_MS;
  while (performance.now() < deadline) {
    const health = await send({ from: '127.0.0.1', method: 'GET', target: '/api/health/ready' });
    if (health.status === 200) return;
    await sleep(500);
  }
  throw new Error(`the server was not ready within ${READY_WITHIN_MS} ms`);
}

async function main(): Promise<void> {
  port = await freePort();
  const server: ChildProcess = spawn(process.execPath, serverNodeArguments(ROOT), {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SITE_DIR: join(ROOT, 'no-site-for-soak'),
      RATE_LIMIT_MAX: '100000',
      RUN_TIMEOUT_MS: '5000',
      INSTANCE_ID_FILE: join(ROOT, '.dockyard', 'soak-instance-id'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const pid = server.pid as number;
  await waitReady();
  const rssStartMib = rssMib(pid);
  const endMs = performance.now() + MINUTES * 60_000;
  const statuses = new Map<number, number>();
  const unexpected: string[] = [];
  const notReady: string[] = [];
  const count = (answers: Answer[], step: number) => {
    for (const answer of answers) {
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      // A readiness 503 is the health route doing its job (a pool reported a problem): counted apart.
      if (answer.status === 503 && answer.body.startsWith('{"status":"unavailable"')) {
        notReady.push(answer.body.match(/"reason":"([^"]*)"/)?.[1] ?? 'no reason');
      } else if (answer.status >= 500 || answer.status === 0) {
        unexpected.push(`step ${step}: ${answer.status} ${answer.body.slice(0, 160)}`);
      }
    }
  };
  const worker = async (index: number) => {
    const from = `127.0.1.${index + 1}`;
    for (let step = index; performance.now() < endMs; step++) {
      const which = step % STEPS.length;
      // Sessions only from two workers: each playground holds up to 1.5 GiB.
      if (which === STEPS.length - 1 && index >= 2) continue;
      count(await (STEPS[which] as (from: string) => Promise<Answer[]>)(from), which);
    }
  };
  const memoryByMinute: string[] = [];
  const sampleMemory = async () => {
    while (performance.now() < endMs - 60_000) {
      await sleep(60_000);
      memoryByMinute.push(await memorySample(pid));
    }
  };
  const latenciesMs: number[] = [];
  const normalClient = async () => {
    while (performance.now() < endMs) {
      const startedMs = performance.now();
      const answer = await run(NORMAL_CLIENT, 'echo hello');
      latenciesMs.push(performance.now() - startedMs);
      count([answer], -1);
      await sleep(1_000);
    }
  };
  await Promise.all([
    ...Array.from({ length: WORKERS }, (_, i) => worker(i)),
    normalClient(),
    sampleMemory(),
  ]);
  // What is left once the traffic stops and the server has settled (pool refilled, removals done).
  await sleep(10_000);
  const rssEndMib = rssMib(pid);
  server.kill('SIGTERM');
  const exitCode = await exited;
  const engine = new DockerEngine({ socketPath: '/var/run/docker.sock', callTimeoutMs: 15_000 });
  const leaked = await engine.listContainers([`${LABEL_PID}=${pid}`]);
  latenciesMs.sort((a, b) => a - b);
  console.log(`soak: ${MINUTES} min, ${WORKERS} workers + 1 normal client, server exit code ${exitCode}`);
  console.log(
    `answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
  );
  console.log(`unexpected 5xx (or no answer): ${unexpected.length}`);
  for (const line of unexpected.slice(0, 10)) console.log(`  ${line}`);
  const reasons = [...new Set(notReady)].slice(0, 3).join('; ');
  console.log(`health answered not ready: ${notReady.length}${reasons ? ` (${reasons})` : ''}`);
  console.log(`leaked containers after shutdown: ${leaked.length}`);
  console.log(
    `server RSS: start ${rssStartMib.toFixed(1)} MiB, end ${rssEndMib.toFixed(1)} MiB (growth ${(rssEndMib - rssStartMib).toFixed(1)} MiB)`,
  );
  console.log(`server memory each minute, MiB (RSS/V8 heap used/off-heap): ${memoryByMinute.join(', ')}`);
  console.log(
    `normal client: ${latenciesMs.length} runs, p50 ${Math.round(percentile(latenciesMs, 50))} ms, p95 ${Math.round(percentile(latenciesMs, 95))} ms, max ${Math.round(latenciesMs.at(-1) ?? 0)} ms`,
  );
  if (leaked.length > 0 || unexpected.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
