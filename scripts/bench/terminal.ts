/**
 * `npm run bench:terminal`: the terminal over loopback against a real server process (the one `npm start`
 * runs) and the real engine —
 *  - keystroke → echo latency: one character typed at the shell prompt until its echo arrives, on an idle
 *    server and while four shell runs keep the CPUs busy;
 *  - a `yes` flood for 10 s with the client drawing (acknowledging) as fast as it can: the server
 *    process's RSS before and at its highest, and the bytes that went through;
 *  - the browser's frame rate during a 10 s `yes` flood in the terminal panel of a chapter page (Debian's
 *    Chromium, the built site served by the same server): measured only when `npm run build` has run.
 * Prints a table and writes bench-results/terminal.json. BENCH_KEYSTROKES (default 200) samples each.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandboxServer } from '../lib/doctest/server-process.ts';
import { TerminalClient } from '../lib/terminal-client.ts';
import { type FrameRate, measureFloodFrameRate } from './terminal-frame-rate.ts';

const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 200);
const BUSY_RUNS = 4;
const FLOOD_MS = 10_000;
const RSS_SAMPLE_MS = 250;
const PROMPT = /root@playground:[^\r\n]*# $/;
const REPO_ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(REPO_ROOT, 'bench-results', 'terminal.json');
const SITE_DIR = join(REPO_ROOT, 'dist');
const SITE_BUILT = existsSync(join(SITE_DIR, 'index.html'));
/** Eight seconds of a busy shell loop: inside the run's 10 s limit. */
const BUSY_CODE = 'end=$((SECONDS+8)); while [ "$SECONDS" -lt "$end" ]; do :; done';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] as number).toFixed(2));
}

function rssMib(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number((Number(match?.[1] ?? 0) / 1024).toFixed(1));
}

async function keystrokeLatencies(terminal: TerminalClient, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 40 === 0) {
      // Ctrl+U: a fresh, short line, so the echo is one character whatever came before.
      const from = terminal.output.length;
      terminal.type('\x15');
      await terminal.waitUntil(() => terminal.output.length > from, 10_000).catch(() => {});
      await sleep(50);
    }
    const before = terminal.receivedBytes;
    const startedMs = performance.now();
    terminal.type('x');
    await terminal.waitUntil(() => terminal.receivedBytes > before, 10_000);
    samples.push(performance.now() - startedMs);
    await sleep(10);
  }
  terminal.type('\x15');
  return samples;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((load) => Number(load.toFixed(2)));
  const logDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-terminal-'));
  const server = await startSandboxServer(REPO_ROOT, logDir, SITE_BUILT ? { siteDir: SITE_DIR } : {});
  try {
    const created = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (created.status !== 201)
      throw new Error(`POST /api/sessions: ${created.status} ${await created.text()}`);
    const { id: session } = (await created.json()) as { id: string };
    const terminal = await TerminalClient.connect(server.url, session, { origin: server.url });
    await terminal.waitFor(PROMPT, 60_000);
    await sleep(1_000);

    const idle = await keystrokeLatencies(terminal, KEYSTROKES);

    let busy = true;
    const busyRun = async () => {
      while (busy) {
        await fetch(`${server.url}/api/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ runner: 'shell', code: BUSY_CODE }),
        }).then((response) => response.arrayBuffer());
      }
    };
    const runs = Array.from({ length: BUSY_RUNS }, busyRun);
    await sleep(1_500);
    const loaded = await keystrokeLatencies(terminal, KEYSTROKES);
    busy = false;
    await Promise.all(runs);

    await sleep(1_000);
    const rssBeforeMib = rssMib(server.pid);
    let rssMaxMib = rssBeforeMib;
    const bytesBefore = terminal.receivedBytes;
    terminal.type('yes\r');
    const floodStartedMs = performance.now();
    while (performance.now() - floodStartedMs < FLOOD_MS) {
      await sleep(RSS_SAMPLE_MS);
      rssMaxMib = Math.max(rssMaxMib, rssMib(server.pid));
    }
    const floodBytes = terminal.receivedBytes - bytesBefore;
    terminal.type('\x03');
    const from = terminal.output.length;
    terminal.type('echo flood-over\r');
    await terminal.waitFor('flood-over\r\n', 60_000, from);
    const rssAfterMib = rssMib(server.pid);
    terminal.close();
    await fetch(`${server.url}/api/sessions/${session}`, { method: 'DELETE' });
    const frameRate: FrameRate | undefined = SITE_BUILT
      ? await measureFloodFrameRate(server.url, '/en/commands/', 'Terminal', FLOOD_MS)
      : undefined;

    const result = {
      date: new Date().toISOString(),
      loadAtStart,
      loadAtEnd: loadavg().map((load) => Number(load.toFixed(2))),
      keystrokes: KEYSTROKES,
      idle: { p50Ms: percentile(idle, 50), p95Ms: percentile(idle, 95), targetP95Ms: 30 },
      busy: {
        runs: BUSY_RUNS,
        p50Ms: percentile(loaded, 50),
        p95Ms: percentile(loaded, 95),
        targetP95Ms: 100,
      },
      flood: {
        seconds: FLOOD_MS / 1000,
        bytesDelivered: floodBytes,
        mibPerSecond: Number((floodBytes / 1024 / 1024 / (FLOOD_MS / 1000)).toFixed(2)),
        rssBeforeMib,
        rssMaxMib,
        rssAfterMib,
        rssGrowthMib: Number((rssMaxMib - rssBeforeMib).toFixed(1)),
        targetGrowthMib: 20,
      },
      browser: frameRate ?? 'not measured: run `npm run build` first',
    };
    mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`keystroke → echo (${KEYSTROKES} samples each), load ${loadAtStart.join(' ')} at start`);
    console.log(
      `  idle:             p50 ${result.idle.p50Ms} ms, p95 ${result.idle.p95Ms} ms (target p95 ≤ 30)`,
    );
    console.log(
      `  ${BUSY_RUNS} busy runs:     p50 ${result.busy.p50Ms} ms, p95 ${result.busy.p95Ms} ms (target p95 ≤ 100)`,
    );
    console.log(
      `yes flood ${FLOOD_MS / 1000} s: ${result.flood.mibPerSecond} MiB/s delivered; server RSS ${rssBeforeMib} → max ${rssMaxMib} MiB ` +
        `(+${result.flood.rssGrowthMib}, target ≤ 20), ${rssAfterMib} MiB after`,
    );
    console.log(
      frameRate
        ? `browser, yes flood ${FLOOD_MS / 1000} s in the panel: ${frameRate.floodFps} frames/s ` +
            `(longest frame ${frameRate.floodLongestFrameMs} ms; ${frameRate.quietFps} frames/s while quiet)`
        : 'browser frame rate: not measured (no built site: run `npm run build` first)',
    );
    console.log(`wrote ${RESULTS}`);
  } finally {
    await server.stop();
  }
}

await main();
