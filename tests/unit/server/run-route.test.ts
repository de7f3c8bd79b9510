import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sandbox-server/src/runs/run-result.ts';
import { buildTestApp, parseEvents, type TestApp } from './fakes/test-app.ts';

let t: TestApp | undefined;

afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

async function setup(env: Record<string, string> = {}): Promise<TestApp> {
  t = await buildTestApp(env);
  return t;
}

const post = (app: TestApp['app'], payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/run', payload: payload as string, headers });

describe('POST /api/run — invalid requests never reach Docker', () => {
  const cases: Array<[string, unknown, Record<string, string>, number, RegExp]> = [
    [
      'malformed JSON',
      '{"runner": "shell", "code": ',
      { 'content-type': 'application/json' },
      400,
      /not valid JSON/,
    ],
    [
      'a text/plain body',
      'echo hi',
      { 'content-type': 'text/plain' },
      415,
      /Content-Type must be application\/json/,
    ],
    [
      'a form body',
      'runner=shell',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      /Content-Type/,
    ],
    [
      'an unknown runner',
      { runner: 'python', code: 'print(1)' },
      {},
      400,
      /body\/runner must be one of "shell", "docker"/,
    ],
    ['a missing code', { runner: 'shell' }, {}, 400, /missing required field 'code'/],
    ['a non-string code', { runner: 'shell', code: 42 }, {}, 400, /body\/code must be a string/],
    [
      'NUL bytes in code',
      { runner: 'shell', code: 'echo a\u0000b' },
      {},
      400,
      /body\/code must not contain NUL bytes/,
    ],
    ['an extra field', { runner: 'shell', code: 'true', image: 'alpine' }, {}, 400, /unknown field 'image'/],
    ['an array body', [1, 2], {}, 400, /body must be an object/],
    ['an empty JSON body', '', { 'content-type': 'application/json' }, 400, /body is empty/],
  ];

  for (const [name, payload, headers, status, message] of cases) {
    it(`answers ${status} to ${name}`, async () => {
      const { app, engine } = await setup();
      const response = await post(app, payload, headers);
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.json()).toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
      expect(engine.containers.size + engine.removed.length).toBe(0);
    });
  }

  it('answers 400 to code over the code limit, counting UTF-8 bytes', async () => {
    const { app, engine } = await setup({ RUN_CODE_LIMIT_BYTES: '16384' });
    // 6000 three-byte characters: under the limit in characters, over it in bytes.
    const response = await post(app, { runner: 'shell', code: '€'.repeat(6000) });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('body/code is 18000 bytes; the limit is 16384');
    expect(engine.containers.size).toBe(0);
  });

  it('answers 413 to a body over the request limit', async () => {
    const { app, engine } = await setup();
    const response = await post(app, { runner: 'shell', code: 'x'.repeat(70 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toMatch(/larger than the limit of 65536 bytes/);
    expect(engine.containers.size).toBe(0);
  });

  it('answers 503 "docker runner not available" while no docker runner is registered', async () => {
    const { app } = await setup();
    const response = await post(app, { runner: 'docker', code: 'docker ps' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'docker runner not available',
    });
  });
});

describe('POST /api/run — results', () => {
  it('answers the result as JSON, stdout and stderr apart, exit code kept', async () => {
    const { app, engine } = await setup();
    engine.program = async (p) => {
      p.write('stdout', 'out\n');
      p.write('stderr', 'err\n');
      return 3;
    };
    const response = await post(app, { runner: 'shell', code: 'whatever' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 3,
      timedOut: false,
      truncated: false,
      oomKilled: false,
    });
  });

  it('runs the code with bash -c and the sandbox environment only', async () => {
    const { app, engine } = await setup();
    let seen: { cmd: string[]; env: string[] } | undefined;
    engine.program = async (p) => {
      seen = { cmd: p.cmd, env: p.env };
      return 0;
    };
    process.env.DOCKYARD_TEST_SECRET = 'do-not-leak';
    try {
      await post(app, { runner: 'shell', code: 'echo "$HOME"; ls' });
    } finally {
      delete process.env.DOCKYARD_TEST_SECRET;
    }
    expect(seen?.cmd).toEqual(['bash', '-c', 'echo "$HOME"; ls']);
    expect(seen?.env.join('\n')).not.toContain('do-not-leak');
    expect(seen?.env.every((entry) => /^(PATH|HOME|USER|LANG|TERM)=/.test(entry))).toBe(true);
  });

  it('streams stdout/stderr events as they happen and ends with exit', async () => {
    const { app, engine } = await setup();
    engine.program = async (p) => {
      p.write('stdout', 'one\r\n');
      p.write('stderr', 'two');
      p.write('stdout', '\u001b[31mred\u001b[0m');
      return 0;
    };
    const response = await post(app, { runner: 'shell', code: 'x' }, { accept: 'text/event-stream' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = parseEvents(response.body);
    expect(events.slice(0, 3)).toEqual([
      ['stdout', 'one\r\n'],
      ['stderr', 'two'],
      ['stdout', '\u001b[31mred\u001b[0m'],
    ]);
    expect(events[3]?.[0]).toBe('exit');
    expect(events[3]?.[1]).toMatchObject({
      stdout: 'one\r\n\u001b[31mred\u001b[0m',
      stderr: 'two',
      exitCode: 0,
    });
  });

  it('keeps a multi-byte character whole when it arrives split across chunks', async () => {
    const { app, engine } = await setup();
    const bytes = Buffer.from('日本', 'utf8');
    engine.program = async (p) => {
      p.write('stdout', bytes.subarray(0, 2));
      p.write('stdout', bytes.subarray(2));
      return 0;
    };
    const response = await post(app, { runner: 'shell', code: 'x' });
    expect(response.json().stdout).toBe('日本');
  });

  it('kills a run at the wall-time limit and answers timedOut', async () => {
    const { app, engine } = await setup({ RUN_TIMEOUT_MS: '200' });
    engine.program = async (p) => {
      p.write('stdout', 'started\n');
      await p.killed;
      return 137;
    };
    const response = await post(app, { runner: 'shell', code: 'sleep 1000' });
    const result = response.json() as RunResult;
    expect(result).toMatchObject({ stdout: 'started\n', exitCode: null, timedOut: true, truncated: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(200);
    await expect.poll(() => engine.containers.size).toBe(0);
  });

  it('cuts output at the limit, flags truncated and stops the run', async () => {
    const { app, engine } = await setup({ RUN_OUTPUT_LIMIT_BYTES: '4096' });
    let stoppedByKill = false;
    engine.program = async (p) => {
      for (let i = 0; i < 10_000 && !p.isKilled(); i++) {
        p.write(i % 2 ? 'stdout' : 'stderr', 'y\n'.repeat(512));
        await new Promise((r) => setImmediate(r));
      }
      stoppedByKill = p.isKilled();
      return 0;
    };
    const response = await post(app, { runner: 'shell', code: 'yes' });
    const result = response.json() as RunResult;
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBe(4096);
    await expect.poll(() => stoppedByKill).toBe(true);
  });

  it('reports oomKilled from the engine when the wrapper cannot tell (gVisor)', async () => {
    const { app, engine } = await setup();
    engine.program = async (p) => {
      const id = [...engine.containers.values()].find((c) => c.execs > 0)?.id;
      if (id) engine.markOomKilled(id);
      p.write('stderr', 'Killed\n');
      return 137;
    };
    const response = await post(app, { runner: 'shell', code: 'hog' });
    expect(response.json()).toMatchObject({ exitCode: 137, oomKilled: true });
    expect(engine.oomVerdictsAsked).toBe(1);
  });

  it('takes the wrapper’s memory verdict without asking the engine (runc)', async () => {
    const { app, engine } = await setup();
    engine.wrapperReadsCgroup = true;
    let hog = false;
    engine.program = async () => {
      const id = [...engine.containers.values()].find((c) => c.execs > 0)?.id;
      if (hog && id) engine.markOomKilled(id);
      return 0;
    };
    expect((await post(app, { runner: 'shell', code: 'true' })).json()).toMatchObject({ oomKilled: false });
    hog = true;
    const survived = await post(app, { runner: 'shell', code: 'hog | tail; exit 0' });
    expect(survived.json()).toMatchObject({ exitCode: 0, oomKilled: true });
    expect(engine.oomVerdictsAsked).toBe(0);
  });

  it('uses each container for one run only and removes it afterwards', async () => {
    const { app, engine } = await setup({ SHELL_POOL_SIZE: '2' });
    for (let i = 0; i < 3; i++)
      expect((await post(app, { runner: 'shell', code: 'true' })).statusCode).toBe(200);
    await expect.poll(() => engine.removed.length).toBe(3);
    for (const c of engine.containers.values()) expect(c.execs).toBe(0);
  });
});

describe('POST /api/run — load and failures', () => {
  it('answers 429 with Retry-After when the queue is full', async () => {
    const { app, engine } = await setup({ RUN_CONCURRENCY: '1', RUN_QUEUE_LIMIT: '1' });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    engine.program = async () => {
      await gate;
      return 0;
    };
    const running = post(app, { runner: 'shell', code: 'a' });
    const queued = post(app, { runner: 'shell', code: 'b' });
    await expect.poll(() => engine.containers.size).toBeGreaterThan(0);
    const refused = await post(app, { runner: 'shell', code: 'c' });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.json().message).toMatch(/too many runs/);
    release();
    expect((await running).statusCode).toBe(200);
    expect((await queued).statusCode).toBe(200);
  });

  it('rate-limits a client IP', async () => {
    const { app } = await setup({ RATE_LIMIT_MAX: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post(app, { runner: 'shell', code: 'true' })).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await post(app, { runner: 'shell', code: 'true' });
    expect(limited.json().message).toMatch(/rate limit/);
    expect(limited.headers['retry-after']).toBeDefined();
    // Health stays reachable for monitors.
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('answers 503 when the engine is unreachable', async () => {
    const { app, engine } = await setup();
    engine.unreachable = true;
    const response = await post(app, { runner: 'shell', code: 'true' });
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toMatch(/Docker engine unreachable/);
  });

  it('answers 503 (not a hang) when the engine goes away mid-run', async () => {
    const { app, engine } = await setup();
    engine.program = async (p) => {
      p.write('stdout', 'partial');
      engine.unreachable = true;
      return 0;
    };
    const response = await post(app, { runner: 'shell', code: 'true' });
    expect(response.statusCode).toBe(503);
  });

  it('ends a stream with an error event when the engine goes away after output began', async () => {
    const { app, engine } = await setup();
    engine.program = async (p) => {
      p.write('stdout', 'partial');
      engine.unreachable = true;
      return 0;
    };
    const response = await post(app, { runner: 'shell', code: 'true' }, { accept: 'text/event-stream' });
    const events = parseEvents(response.body);
    expect(events[0]).toEqual(['stdout', 'partial']);
    expect(events.at(-1)?.[0]).toBe('error');
    expect(events.at(-1)?.[1]).toMatchObject({ statusCode: 503 });
  });

  it('answers 503 naming `npm run images` when the shell image is missing', async () => {
    const { app, engine, config } = await setup();
    engine.missingImages.add(config.shellImage);
    const response = await post(app, { runner: 'shell', code: 'true' });
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toMatch(/npm run images/);
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().reason).toMatch(/shell: shell image .* is missing/);
  });
});

describe('client disconnects', () => {
  it('kills and removes the container of a run whose client went away', async () => {
    const { app, engine } = await setup();
    let started = false;
    engine.program = async (p) => {
      started = true;
      await p.killed;
      return 137;
    };
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const request = fetch(`${address}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runner: 'shell', code: 'sleep 1000' }),
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => started).toBe(true);
    controller.abort();
    await request;
    await expect.poll(() => engine.containers.size).toBe(0);
    expect(engine.removed.length).toBe(1);
  });
});

describe('warm containers that died', () => {
  it('runs the snippet in a fresh container when the warm one is gone', async () => {
    const { app, engine, shell } = await setup({ SHELL_POOL_SIZE: '1' });
    await expect.poll(() => shell.health().ready).toBe(1);
    // As after an engine restart: the container no longer runs.
    for (const c of engine.containers.values()) c.running = false;
    const response = await post(app, { runner: 'shell', code: 'echo ok' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ stdout: 'echo ok\n', exitCode: 0 });
  });
});
