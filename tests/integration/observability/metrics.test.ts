/**
 * The real server process (sandbox-server/src/server.ts) on the real engine: after real runs —
 * a clean exit, a failing one, an OOM kill, a playground session's run — /metrics counts them,
 * and the log (JSON: stdout is not a terminal here) has one line per run without the code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverNodeArguments } from '../../../sandbox-server/src/server-command.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { sampleValue } from '../../support/prometheus-text.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SECRET_MARKER = 'snippet-text-that-must-not-be-logged';

let server: ChildProcess;
let base: string;
const logLines: Array<Record<string, unknown>> = [];

const post = async (path: string, body?: unknown) => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const scrape = async () => (await fetch(`${base}/metrics`)).text();

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, serverNodeArguments(ROOT), {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      LOG_LEVEL: 'info',
      SHELL_POOL_SIZE: '1',
      PLAYGROUND_POOL_SIZE: '1',
      RATE_LIMIT_MAX: '100000',
      SITE_DIR: join(ROOT, 'no-site-here'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pending = '';
  server.stdout?.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
  });
});

afterAll(async () => {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
});

describe('metrics of a real server', () => {
  it('counts real runs by runner and outcome, the OOM kill, the session and the boot', {
    timeout: 240_000,
  }, async () => {
    const pools = async () => {
      const text = await scrape().catch(() => '');
      return ['shell', 'docker'].map((pool) =>
        sampleValue(text, 'dockyard_pool_containers', { pool, state: 'ready' }),
      );
    };
    await expect.poll(pools, { timeout: 150_000, interval: 500 }).toEqual([1, 1]);
    const before = await scrape();
    expect((await post('/api/run', { runner: 'shell', code: `echo ${SECRET_MARKER}` })).body.exitCode).toBe(
      0,
    );
    expect((await post('/api/run', { runner: 'shell', code: 'exit 3' })).body.exitCode).toBe(3);
    const oom = await post('/api/run', {
      runner: 'shell',
      code: 'head -c 1G /dev/zero | tail; echo "tail: $?"',
    });
    expect(oom.body).toMatchObject({ oomKilled: true, stdout: 'tail: 137\n' });
    const session = await post('/api/sessions', {});
    expect(session.status).toBe(201);
    const docker = await post('/api/run', {
      runner: 'docker',
      code: 'docker ps -q | wc -l',
      session: session.body.id,
    });
    expect(docker.body).toMatchObject({ exitCode: 0, stdout: '0\n' });

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('dockyard_runs_total', { runner: 'shell', outcome: 'exit_zero' })).toBe(1);
    expect(delta('dockyard_runs_total', { runner: 'shell', outcome: 'exit_nonzero' })).toBe(1);
    expect(delta('dockyard_runs_total', { runner: 'shell', outcome: 'limit' })).toBe(1);
    expect(delta('dockyard_run_limit_hits_total', { runner: 'shell', limit: 'memory' })).toBe(1);
    expect(delta('dockyard_runs_total', { runner: 'docker', outcome: 'exit_zero' })).toBe(1);
    expect(delta('dockyard_run_duration_seconds_count', { runner: 'shell' })).toBe(3);
    expect(delta('dockyard_run_queue_wait_seconds_count', { runner: 'docker' })).toBe(1);
    expect(sampleValue(after, 'dockyard_active_sessions')).toBe(1);
    // The session took the warm playground; the pool boots its replacement.
    expect(sampleValue(after, 'dockyard_playground_boot_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(after, 'dockyard_container_create_seconds_count', { role: 'shell' }),
    ).toBeGreaterThanOrEqual(4);

    const runLines = logLines.filter((line) => line.msg === 'run');
    expect(runLines).toHaveLength(4);
    expect(runLines.map((line) => line.outcome)).toEqual(['exit_zero', 'exit_nonzero', 'limit', 'exit_zero']);
    expect(runLines[2]).toMatchObject({ runner: 'shell', limit: 'memory' });
    expect(runLines[3]).toMatchObject({
      runner: 'docker',
      session: `${String(session.body.id).slice(0, 8)}…`,
    });
    const log = JSON.stringify(logLines);
    expect(log).not.toContain(SECRET_MARKER);
    expect(log).not.toContain(String(session.body.id));
    // The client's address (this test connects from 127.0.0.1) is in no request's lines.
    expect(JSON.stringify(logLines.filter((line) => line.reqId !== undefined))).not.toContain('127.0.0.1');
  });
});
