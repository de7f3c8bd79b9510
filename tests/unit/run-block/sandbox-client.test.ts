import { describe, expect, it } from 'vitest';
import {
  SandboxClient,
  SandboxError,
  type SandboxProblem,
  type StreamName,
} from '../../../site/run-block/sandbox-client.ts';
import { eventStream, fakeFetch, json, OK_RESULT, sse } from './fake-fetch.ts';

function collect() {
  const chunks: Array<[StreamName, string]> = [];
  return { chunks, onOutput: (stream: StreamName, text: string) => chunks.push([stream, text]) };
}

async function problemOf(promise: Promise<unknown>): Promise<SandboxProblem> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SandboxError);
  return (error as SandboxError).problem;
}

const signal = () => new AbortController().signal;

describe('SandboxClient.run', () => {
  it('posts the snippet asking for a stream and hands over chunks in order, then the result', async () => {
    const { fetch, requests } = fakeFetch(() =>
      eventStream([
        sse('stdout', 'hel'),
        sse('stderr', 'warn\n'),
        sse('stdout', 'lo\n'),
        sse('exit', OK_RESULT),
      ]),
    );
    const { chunks, onOutput } = collect();
    const result = await new SandboxClient('', fetch).run(
      { runner: 'shell', code: 'echo hello' },
      onOutput,
      signal(),
    );
    expect(result).toEqual(OK_RESULT);
    expect(chunks).toEqual([
      ['stdout', 'hel'],
      ['stderr', 'warn\n'],
      ['stdout', 'lo\n'],
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      url: '/api/run',
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: { runner: 'shell', code: 'echo hello' },
    });
  });

  it('sends the reader’s sign-in token as a bearer token, and nothing without one', async () => {
    const { fetch, requests } = fakeFetch(() => eventStream([sse('exit', OK_RESULT)]));
    let token: string | null = 'team-token-0123456789';
    const client = new SandboxClient('', fetch, () => token);
    await client.run({ runner: 'shell', code: 'x' }, () => {}, signal());
    token = null;
    await client.run({ runner: 'shell', code: 'x' }, () => {}, signal());
    expect(requests[0]?.headers).toMatchObject({ authorization: 'Bearer team-token-0123456789' });
    expect(requests[1]?.headers).not.toHaveProperty('authorization');
  });

  it('talks to another origin when built with one, and names the session in the path', async () => {
    const { fetch, requests } = fakeFetch(() => eventStream([sse('exit', OK_RESULT)]));
    await new SandboxClient('https://sandbox.example/', fetch).run(
      { runner: 'docker', code: 'docker ps', session: 'node-1.s1' },
      () => {},
      signal(),
    );
    // The path alone routes it: a load balancer sends /api/sessions/node-1.… to node-1.
    expect(requests[0]?.url).toBe('https://sandbox.example/api/sessions/node-1.s1/run');
    expect(requests[0]?.body).toEqual({ code: 'docker ps' });
  });

  it('decodes UTF-8 split across network chunks', async () => {
    const bytes = new TextEncoder().encode(sse('stdout', '数据卷\n') + sse('exit', OK_RESULT));
    const { fetch } = fakeFetch(() => eventStream([bytes.slice(0, 25), bytes.slice(25)]));
    const { chunks, onOutput } = collect();
    await new SandboxClient('', fetch).run({ runner: 'shell', code: 'x' }, onOutput, signal());
    expect(chunks).toEqual([['stdout', '数据卷\n']]);
  });

  it('accepts a plain JSON answer as well', async () => {
    const { fetch } = fakeFetch(() => json(200, { ...OK_RESULT, stderr: 'e\n' }));
    const { chunks, onOutput } = collect();
    expect(
      await new SandboxClient('', fetch).run({ runner: 'shell', code: 'x' }, onOutput, signal()),
    ).toMatchObject({
      exitCode: 0,
    });
    expect(chunks).toEqual([
      ['stdout', 'hello\n'],
      ['stderr', 'e\n'],
    ]);
  });

  it.each([
    [
      '429 with Retry-After',
      json(429, { message: 'busy' }, { 'retry-after': '7' }),
      false,
      { kind: 'busy', retryAfterS: 7 },
    ],
    [
      '429 without Retry-After',
      json(429, { message: 'busy' }),
      false,
      { kind: 'busy', retryAfterS: undefined },
    ],
    ['503', json(503, { message: 'engine unreachable' }), false, { kind: 'engine-down' }],
    ['404 for a session', json(404, { message: 'unknown session' }), true, { kind: 'session-gone' }],
    [
      '421 for a session (its server is gone)',
      json(421, { message: 'session held by node "b"' }),
      true,
      { kind: 'session-gone' },
    ],
    ['404 without a session', json(404, { message: 'no route' }), false, { kind: 'unreachable' }],
    [
      'a static host’s 404 page',
      new Response('<h1>Not found</h1>', { status: 404 }),
      true,
      { kind: 'unreachable' },
    ],
    ['405 from a static host', new Response('', { status: 405 }), false, { kind: 'unreachable' }],
    ['a proxy’s 502', new Response('Bad gateway', { status: 502 }), false, { kind: 'unreachable' }],
    ['413', json(413, { message: 'body too large' }), false, { kind: 'too-large' }],
    [
      '401 (AUTH_MODE=token, no token)',
      json(401, { message: 'sign-in required' }),
      false,
      { kind: 'sign-in-required' },
    ],
    [
      '400',
      json(400, { message: 'body/code must be a string' }),
      false,
      { kind: 'rejected', message: 'body/code must be a string' },
    ],
    ['500', json(500, { message: 'internal error' }), false, { kind: 'server-error', status: 500 }],
    [
      '200 HTML (a fallback page)',
      new Response('<html></html>', { headers: { 'content-type': 'text/html' } }),
      false,
      { kind: 'unreachable' },
    ],
  ])('maps %s to a problem the reader can act on', async (_name, response, withSession, expected) => {
    const { fetch } = fakeFetch(() => response);
    const request = withSession
      ? { runner: 'docker' as const, code: 'x', session: 's' }
      : { runner: 'shell' as const, code: 'x' };
    expect(await problemOf(new SandboxClient('', fetch).run(request, () => {}, signal()))).toEqual(expected);
  });

  it('reports an unreachable sandbox when the request itself fails', async () => {
    const { fetch } = fakeFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    expect(
      await problemOf(new SandboxClient('', fetch).run({ runner: 'shell', code: 'x' }, () => {}, signal())),
    ).toEqual({
      kind: 'unreachable',
    });
  });

  it('reports a lost connection when the stream ends without an exit event', async () => {
    const { fetch } = fakeFetch(() => eventStream([sse('stdout', 'partial')]));
    expect(
      await problemOf(new SandboxClient('', fetch).run({ runner: 'shell', code: 'x' }, () => {}, signal())),
    ).toEqual({
      kind: 'connection-lost',
    });
  });

  it('maps an error event sent after streaming began', async () => {
    const { fetch } = fakeFetch(() =>
      eventStream([
        sse('stdout', 'a'),
        sse('error', { statusCode: 503, error: 'Service Unavailable', message: 'engine gone' }),
      ]),
    );
    expect(
      await problemOf(new SandboxClient('', fetch).run({ runner: 'shell', code: 'x' }, () => {}, signal())),
    ).toEqual({
      kind: 'engine-down',
    });
  });

  it('rejects with the abort reason when stopped mid-stream', async () => {
    const controller = new AbortController();
    const { fetch } = fakeFetch((_request, fetchSignal) =>
      eventStream([sse('stdout', 'tick\n')], { hang: true, signal: fetchSignal }),
    );
    const { chunks, onOutput } = collect();
    const run = new SandboxClient('', fetch).run(
      { runner: 'shell', code: 'sleep 100' },
      onOutput,
      controller.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new DOMException('Stopped', 'AbortError');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(chunks).toEqual([['stdout', 'tick\n']]);
  });
});

describe('SandboxClient sessions', () => {
  it('creates and deletes sessions; deleting one that is gone is fine', async () => {
    const { fetch, requests } = fakeFetch((request) =>
      request.method === 'POST'
        ? json(201, { id: 'abc', expiresAt: '2030-01-01T00:00:00Z' })
        : request.url.endsWith('/elsewhere')
          ? json(421, { message: 'held by another node' })
          : new Response(null, { status: request.url.endsWith('/gone') ? 404 : 204 }),
    );
    const client = new SandboxClient('', fetch);
    expect(await client.createSession()).toEqual({ id: 'abc', expiresAt: '2030-01-01T00:00:00Z' });
    await client.deleteSession('abc', { keepalive: true });
    await client.deleteSession('gone');
    await client.deleteSession('elsewhere');
    expect(requests.map((r) => [r.method, r.url, r.keepalive])).toEqual([
      ['POST', '/api/sessions', false],
      ['DELETE', '/api/sessions/abc', true],
      ['DELETE', '/api/sessions/gone', false],
      ['DELETE', '/api/sessions/elsewhere', false],
    ]);
  });

  it('reports a busy or missing playground pool when a session cannot be created', async () => {
    const { fetch } = fakeFetch(() => json(503, { message: 'docker runner not available' }));
    expect(await problemOf(new SandboxClient('', fetch).createSession())).toEqual({ kind: 'engine-down' });
  });
});
