import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cachedEngineProbe, ENGINE_PROBE_TTL_MS } from '../../../sandbox-server/src/routes/health.ts';
import { FakeEngine } from './fakes/fake-engine.ts';
import { buildTestApp, type TestApp } from './fakes/test-app.ts';

let site: string;
let t: TestApp | undefined;

beforeAll(() => {
  site = mkdtempSync(join(tmpdir(), 'dockyard-site-'));
  mkdirSync(join(site, 'volumes'));
  mkdirSync(join(site, 'en'));
  writeFileSync(join(site, 'index.html'), '<h1>首页</h1>');
  writeFileSync(join(site, 'volumes', 'index.html'), '<h1>数据卷</h1>');
  writeFileSync(join(site, '404.html'), '<h1>找不到页面</h1>');
  writeFileSync(join(site, 'en', '404.html'), '<h1>Page not found</h1>');
});

afterAll(() => rmSync(site, { recursive: true, force: true }));

afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('static site next to the API', () => {
  it('serves pages, the site’s 404 page (English under /en/), and JSON 404s under /api/', async () => {
    t = await buildTestApp({ SITE_DIR: site }, { serveSite: true });
    const { app } = t;
    const page = await app.inject({ url: '/volumes/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('数据卷');

    const missing = await app.inject({ url: '/no-such-chapter/' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/text\/html/);
    expect(missing.body).toContain('找不到页面');

    const missingEn = await app.inject({ url: '/en/no-such-chapter/' });
    expect(missingEn.statusCode).toBe(404);
    expect(missingEn.body).toContain('Page not found');

    const api = await app.inject({ url: '/api/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ statusCode: 404, message: 'no route GET /api/nope' });
  });

  it('serves the API alone when the site has not been built', async () => {
    t = await buildTestApp({ SITE_DIR: join(site, 'missing') }, { serveSite: true });
    expect((await t.app.inject({ url: '/' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
  });
});

describe('GET /api/health', () => {
  it('reports the engine and the pools', async () => {
    t = await buildTestApp({ SHELL_POOL_SIZE: '2' });
    await expect.poll(() => t?.shell.health().ready).toBe(2);
    const response = await t.app.inject({ url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      node: expect.stringMatching(/^n[0-9a-f]{12}$/),
      sharedState: { store: 'memory', reachable: true },
      docker: { reachable: true },
      pools: { shell: { target: 2, ready: 2, starting: 0, inUse: 0 } },
      runs: { running: 0, waiting: 0 },
    });
    expect((await t.app.inject({ url: '/api/health/ready' })).json()).toEqual(response.json());
  });

  it('shows the engine version, runtimes and cgroup mode only when configured to', async () => {
    t = await buildTestApp({ HEALTH_SHOW_VERSIONS: 'true' });
    const response = await t.app.inject({ url: '/api/health/ready' });
    expect(response.json().docker).toEqual({
      reachable: true,
      serverVersion: 'fake',
      runtimes: ['runc'],
      cgroup: { version: 1, driver: 'cgroupfs' },
    });
  });

  it('asks the engine at most once per second however often health is asked', async () => {
    const engine = new FakeEngine();
    let infoCalls = 0;
    const info = engine.info.bind(engine);
    engine.info = async () => {
      infoCalls++;
      return info();
    };
    let nowMs = 0;
    const probe = cachedEngineProbe(engine, false, () => nowMs);
    await Promise.all(Array.from({ length: 50 }, () => probe()));
    nowMs = ENGINE_PROBE_TTL_MS - 1;
    for (let i = 0; i < 50; i++) await probe();
    expect(infoCalls).toBe(1);
    nowMs = ENGINE_PROBE_TTL_MS;
    expect(await probe()).toEqual({ reachable: true });
    expect(infoCalls).toBe(2);
  });

  it('answers liveness without asking the engine', async () => {
    t = await buildTestApp();
    t.engine.unreachable = true;
    const response = await t.app.inject({ url: '/api/health/live' });
    expect([response.statusCode, response.json()]).toEqual([200, { status: 'ok' }]);
  });

  it('answers 503 with the reason when the engine is unreachable', async () => {
    t = await buildTestApp();
    t.engine.unreachable = true;
    const response = await t.app.inject({ url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/Docker engine unreachable/),
      docker: { reachable: false },
    });
  });
});

describe('GET /api/openapi.json', () => {
  it('documents the routes with their schemas and every status', async () => {
    t = await buildTestApp();
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const run = doc.paths['/api/run'].post;
    expect(Object.keys(run.responses).sort()).toEqual([
      '200',
      '400',
      '404',
      '413',
      '415',
      '421',
      '429',
      '503',
    ]);
    expect(run.requestBody.content['application/json'].schema.required).toEqual(['runner', 'code']);
    expect(doc.paths['/api/health'].get.responses).toHaveProperty('503');
    expect(doc.paths['/api/health/ready'].get.responses).toHaveProperty('503');
    expect(doc.paths['/api/health/live'].get.responses).toHaveProperty('200');
  });
});
