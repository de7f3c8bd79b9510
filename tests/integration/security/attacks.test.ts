/**
 * The attack suite: the real server (shell runner, real engine) over real HTTP, attacked the way the
 * hardening issue found it open. Each block names the defence it checks. Source addresses vary over
 * 127.0.0.0/8 (all loopback here), so "another client" is a real other peer, not a header.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { retainedBytes } from '../../support/memory.ts';
import { type Harness, startHarness } from '../shell/harness.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request: any request target (absolute form too), any Host, any source address. */
function send(
  h: Harness,
  options: {
    method?: string;
    target?: string;
    headers?: Record<string, string>;
    body?: string;
    from?: string;
  } = {},
): Promise<Answer> {
  const server = new URL(h.url);
  const body = options.body ?? JSON.stringify({ runner: 'shell', code: 'echo hi' });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: server.hostname,
        port: server.port,
        method: options.method ?? 'POST',
        path: options.target ?? '/api/run',
        localAddress: options.from ?? '127.0.0.1',
        setHost: false,
        headers: {
          host: server.host,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** How many shell containers this server created in total (every run takes one). */
const started = (h: Harness) => h.engine.listContainers([`dockyard.instance=${h.containers.instance.id}`]);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('rate limit: hangs on the API routes, not on URL matching', () => {
  it('counts absolute-form targets, odd spellings and every method against one budget', async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '6', SHELL_POOL_SIZE: '1' });
    const server = new URL(h.url);
    const attempts: Answer[] = [];
    for (const target of [
      `http://${server.host}/api/run`,
      `http://${server.host}/api/run?x=1`,
      '/api/%72un',
      '/api/run/',
    ]) {
      attempts.push(await send(h, { target }));
    }
    attempts.push(await send(h, { method: 'GET', target: '/api/run', body: '' }));
    attempts.push(await send(h, { method: 'DELETE', target: '/api/nowhere', body: '' }));
    expect(attempts.map((a) => [a.status, a.headers['x-ratelimit-limit']])).toEqual([
      [200, '6'],
      [200, '6'],
      [200, '6'],
      [404, '6'],
      [404, '6'],
      [400, '6'],
    ]);
    // The budget is spent, whichever spelling comes next.
    for (const target of ['/api/run', `http://${server.host}/api/run`, '/api/%72un']) {
      const limited = await send(h, { target });
      expect(limited.status).toBe(429);
      expect(JSON.parse(limited.body).message).toMatch(/rate limit of 6 requests/);
    }
    // Another client has its own budget.
    expect((await send(h, { from: '127.0.0.9' })).status).toBe(200);
  });
});

describe('client identity: X-Forwarded-For only from the proxies TRUST_PROXY names', () => {
  it('ignores X-Forwarded-For entirely by default: a spoofed entry per request buys nothing', async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '3', SHELL_POOL_SIZE: '1' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await send(h, { headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('behind one proxy, believes only the entry that proxy added, not the client-written left-most one', async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '3', SHELL_POOL_SIZE: '1', TRUST_PROXY: '127.0.0.1' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // What the proxy forwards: the client's forged entry, then the address the proxy saw.
      const answer = await send(h, { headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` } });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await send(h, { headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(200);
    // A peer that is not the proxy cannot name a client at all: it is counted as itself.
    const direct = [];
    for (let i = 0; i < 4; i++) {
      direct.push(
        (await send(h, { from: '127.0.0.5', headers: { 'x-forwarded-for': `203.0.113.${50 + i}` } })).status,
      );
    }
    expect(direct).toEqual([200, 200, 200, 429]);
  });

  it('groups IPv6 clients by /64', async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '3', SHELL_POOL_SIZE: '1', TRUST_PROXY: '1' });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      statuses.push(
        (await send(h, { headers: { 'x-forwarded-for': `2001:db8:5:6::${i.toString(16)}` } })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await send(h, { headers: { 'x-forwarded-for': '2001:db8:5:7::1' } })).status).toBe(200);
  });
});

describe('only Dockyard’s own pages can drive it', () => {
  it('refuses a DNS-rebinding Host (and a foreign absolute-form authority) with 421, running nothing', async () => {
    h = await startHarness({ SHELL_POOL_SIZE: '0' });
    const server = new URL(h.url);
    const before = (await started(h)).length;
    for (const answer of [
      await send(h, { headers: { host: `attacker.invalid:${server.port}` } }),
      await send(h, { headers: { host: `127.0.0.1.attacker.invalid:${server.port}` } }),
      await send(h, { target: `http://attacker.invalid:${server.port}/api/run` }),
      await send(h, {
        method: 'POST',
        target: '/api/sessions',
        body: '{}',
        headers: { host: 'attacker.invalid' },
      }),
    ]) {
      expect(answer.status).toBe(421);
      expect(JSON.parse(answer.body).message).toMatch(/does not answer for host/);
    }
    expect((await started(h)).length).toBe(before);
    expect((await send(h)).status).toBe(200);
  });

  it('refuses a cross-site form post and a cross-site script, and takes JSON bodies only', async () => {
    h = await startHarness({ SHELL_POOL_SIZE: '0' });
    const form = 'runner=shell&code=id';
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const crossSite = await send(h, {
      body: form,
      headers: { ...formHeaders, origin: 'http://attacker.invalid' },
    });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.body).message).toMatch(/attacker\.invalid are not allowed/);
    const crossSiteSessions = await send(h, {
      target: '/api/sessions',
      body: '',
      headers: { origin: 'http://attacker.invalid' },
    });
    expect(crossSiteSessions.status).toBe(403);
    // Without Origin (not a browser), a form is still not a JSON body.
    expect((await send(h, { body: form, headers: formHeaders })).status).toBe(415);
    expect(
      (await send(h, { body: '{"runner":"shell","code":"id"}', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415);
    // The site's own pages pass.
    const own = await send(h, { headers: { origin: h.url } });
    expect([own.status, JSON.parse(own.body).stdout]).toEqual([200, 'hi\n']);
  });
});

describe('sign-in (AUTH_MODE)', () => {
  it('token: no token or a wrong one is 401 and runs nothing; the right one runs, quota keyed on the name', async () => {
    const token = 'a-team-token-0123456789';
    h = await startHarness({
      AUTH_MODE: 'token',
      AUTH_TOKENS: `alice:${token}`,
      RATE_LIMIT_MAX: '2',
      SHELL_POOL_SIZE: '0',
    });
    const before = (await started(h)).length;
    expect((await send(h)).status).toBe(401);
    expect((await send(h, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await send(h, { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    expect((await started(h)).length).toBe(before);
    const auth = { authorization: `Bearer ${token}` };
    expect((await send(h, { headers: auth })).status).toBe(200);
    // The quota follows alice to another address.
    expect((await send(h, { headers: auth, from: '127.0.0.7' })).status).toBe(200);
    expect((await send(h, { headers: auth, from: '127.0.0.8' })).status).toBe(429);
  });

  it('proxy: the identity header counts only from a TRUST_PROXY address', async () => {
    h = await startHarness({ AUTH_MODE: 'proxy', TRUST_PROXY: '127.0.0.1', SHELL_POOL_SIZE: '0' });
    const user = { 'x-forwarded-user': 'alice@example.invalid' };
    expect((await send(h, { headers: user })).status).toBe(200);
    expect((await send(h)).status).toBe(401);
    expect((await send(h, { headers: user, from: '127.0.0.6' })).status).toBe(401);
  });
});

describe('fair share', () => {
  it('a flooding client gets 429s and cannot keep a normal client’s runs from being served', async () => {
    h = await startHarness({
      RUN_CONCURRENCY: '2',
      RUN_QUEUE_LIMIT: '8',
      RUN_CONCURRENCY_PER_CLIENT: '1',
      RUN_QUEUE_LIMIT_PER_CLIENT: '1',
      RATE_LIMIT_MAX: '100000',
      SHELL_POOL_SIZE: '2',
    });
    const floodStatuses: number[] = [];
    let flooding = true;
    const flooder = async () => {
      while (flooding)
        floodStatuses.push(
          (
            await send(h as Harness, {
              from: '127.0.0.2',
              body: JSON.stringify({ runner: 'shell', code: 'sleep 1' }),
            })
          ).status,
        );
    };
    const flood = Promise.all(Array.from({ length: 8 }, flooder));
    const latenciesMs: number[] = [];
    const normal: number[] = [];
    for (let i = 0; i < 6; i++) {
      const startedMs = performance.now();
      normal.push((await send(h, { from: '127.0.0.3' })).status);
      latenciesMs.push(performance.now() - startedMs);
    }
    flooding = false;
    await flood;
    latenciesMs.sort((a, b) => a - b);
    console.log(
      `[fair share] normal client: ${normal.length} runs beside an 8-way flood, ` +
        `median ${Math.round(latenciesMs[3] ?? 0)} ms, max ${Math.round(latenciesMs.at(-1) ?? 0)} ms; ` +
        `flood: ${floodStatuses.filter((s) => s === 200).length} served, ${floodStatuses.filter((s) => s === 429).length} refused`,
    );
    expect(normal).toEqual([200, 200, 200, 200, 200, 200]);
    expect(floodStatuses).toContain(429);
    await h.expectNoLeftovers();
  });
});

describe('output cap and server memory under a forged-trailer flood', () => {
  it('a forged trailer start followed by megabytes without a newline is cut at the cap', async () => {
    h = await startHarness({ SHELL_POOL_SIZE: '1' });
    const before = retainedBytes();
    const result = await h.run(`printf '\\0%032x ' 0; head -c 50000000 /dev/zero | tr '\\0' 7`);
    expect(result).toMatchObject({ truncated: true });
    expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBe(
      h.config.runOutputLimitBytes,
    );
    expect(retainedBytes() - before).toBeLessThan(32 * 1024 * 1024);
    await h.expectNoLeftovers();
  });
});
