import { request } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions, redactIds } from '../../../sandbox-server/src/observability/logger.ts';
import { observeActiveTerminals } from '../../../sandbox-server/src/observability/metrics.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { sampleValue } from '../../support/prometheus-text.ts';
import { buildTestApp, type TestApp } from './fakes/test-app.ts';

let t: TestApp | undefined;

afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

const scrape = async (app: TestApp['app'], headers: Record<string, string> = {}) =>
  (await app.inject({ method: 'GET', url: '/metrics', headers })).body;

const run = (app: TestApp['app'], code: string) =>
  app.inject({ method: 'POST', url: '/api/run', payload: { runner: 'shell', code } });

// The machine the suite runs on can be busy: generous time for apps that start and run several snippets.
const SLOW_MACHINE_TIMEOUT_MS = 30_000;

describe('GET /metrics', { timeout: SLOW_MACHINE_TIMEOUT_MS }, () => {
  it('counts runs by runner and outcome, their limit hits and durations', async () => {
    t = await buildTestApp({ RUN_TIMEOUT_MS: '300' });
    const { app, engine } = t;
    const before = await scrape(app);
    engine.program = async (p) => (p.cmd.at(-1)?.includes('fail') ? 3 : 0);
    await run(app, 'true');
    await run(app, 'true');
    await run(app, 'fail');
    engine.program = () => new Promise(() => {});
    await run(app, 'sleep');
    const after = await scrape(app);
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('dockyard_runs_total', { runner: 'shell', outcome: 'exit_zero' })).toBe(2);
    expect(delta('dockyard_runs_total', { runner: 'shell', outcome: 'exit_nonzero' })).toBe(1);
    expect(delta('dockyard_runs_total', { runner: 'shell', outcome: 'limit' })).toBe(1);
    expect(delta('dockyard_run_limit_hits_total', { runner: 'shell', limit: 'timeout' })).toBe(1);
    expect(delta('dockyard_run_duration_seconds_count', { runner: 'shell' })).toBe(4);
    expect(delta('dockyard_run_queue_wait_seconds_count', { runner: 'shell' })).toBe(4);
    expect(delta('dockyard_container_create_seconds_count', { role: 'shell' })).toBeGreaterThanOrEqual(4);
  });

  it('reports pool state, sessions and terminals as they are when scraped', async () => {
    t = await buildTestApp({ SHELL_POOL_SIZE: '2' });
    const { app } = t;
    await expect
      .poll(async () =>
        sampleValue(await scrape(app), 'dockyard_pool_containers', { pool: 'shell', state: 'ready' }),
      )
      .toBe(2);
    const text = await scrape(app);
    expect(sampleValue(text, 'dockyard_pool_containers', { pool: 'shell', state: 'target' })).toBe(2);
    expect(text).toMatch(/^dockyard_active_sessions 0$/m);
    const unregister = observeActiveTerminals(() => 3);
    expect(await scrape(app)).toMatch(/^dockyard_active_terminals 3$/m);
    unregister();
    expect(await scrape(app)).toMatch(/^dockyard_active_terminals 0$/m);
  });

  it('counts 429 answers by route', async () => {
    t = await buildTestApp({ RATE_LIMIT_MAX: '1' });
    const before = sampleValue(await scrape(t.app), 'dockyard_http_429_total', { route: '/api/run' });
    t.engine.program = async () => 0;
    expect((await run(t.app, 'true')).statusCode).toBe(200);
    expect((await run(t.app, 'true')).statusCode).toBe(429);
    const after = sampleValue(await scrape(t.app), 'dockyard_http_429_total', { route: '/api/run' });
    expect(after - before).toBe(1);
  });

  it('wants the bearer token when METRICS_TOKEN is set', async () => {
    t = await buildTestApp({ METRICS_TOKEN: 'scrape-secret' });
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const right = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('dockyard_runs_total');
  });

  it('serves metrics only on METRICS_PORT when it is set', async () => {
    const port = await freePort();
    t = await buildTestApp({ METRICS_PORT: String(port), METRICS_TOKEN: 'scrape-secret' });
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(404);
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path, headers }, (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        })
          .on('error', reject)
          .end();
      });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/api/health', { authorization: 'Bearer scrape-secret' })).status).toBe(404);
    const scraped = await get('/metrics', { authorization: 'Bearer scrape-secret' });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('dockyard_runs_total');
  });
});

describe('run log lines', { timeout: SLOW_MACHINE_TIMEOUT_MS }, () => {
  it('logs one line per run without the code, the client address or the whole session id', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { default: pino } = await import('pino');
    // The server's own options (JSON: no terminal), writing where the test can read.
    const logger = pino(
      loggerOptions('info', false),
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    t = await buildTestApp({}, { logger });
    t.engine.program = async () => 5;
    await t.app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'shell', code: 'echo top-secret-snippet' },
      remoteAddress: '10.1.2.3',
    });
    const runLines = lines.filter((line) => line.msg === 'run');
    expect(runLines).toHaveLength(1);
    expect(runLines[0]).toMatchObject({ runner: 'shell', outcome: 'exit_nonzero', exitCode: 5, limit: null });
    expect(runLines[0]?.client).toMatch(/^[0-9a-f]{12}$/);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain('top-secret-snippet');
    expect(everything).not.toContain('10.1.2.3');
  });

  it('cuts long ids in logged paths short', () => {
    expect(redactIds('/api/sessions/3f2a9c0d1e8b4a7f9c6d5e4b3a291807')).toBe('/api/sessions/3f2a9c0d…');
    expect(redactIds('/en/commands/')).toBe('/en/commands/');
  });
});
