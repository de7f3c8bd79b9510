import { describe, expect, it } from 'vitest';
import { PlaygroundSession } from '../../../site/run-block/playground-session.ts';
import { SandboxClient } from '../../../site/run-block/sandbox-client.ts';
import { eventStream, fakeFetch, json, OK_RESULT, type RecordedRequest, sse } from './fake-fetch.ts';

/**
 * A fake sandbox with sessions, run at /api/sessions/<id>/run: known ids run, ids of a server that went
 * away (`elsewhere`) answer 421 as another node would, others 404.
 */
function fakeSandbox(options: { runDelayMs?: number } = {}) {
  const live = new Set<string>();
  const elsewhere = new Set<string>();
  let created = 0;
  const log: string[] = [];
  const { fetch, requests } = fakeFetch(async (request: RecordedRequest, signal) => {
    if (request.method === 'POST' && request.url === '/api/sessions') {
      const id = `s${++created}`;
      live.add(id);
      return json(201, { id, expiresAt: '2030-01-01T00:00:00Z' });
    }
    if (request.method === 'DELETE') {
      const id = request.url.split('/').pop() ?? '';
      return new Response(null, { status: live.delete(id) ? 204 : 404 });
    }
    const session = decodeURIComponent(/^\/api\/sessions\/([^/]+)\/run$/.exec(request.url)?.[1] ?? '');
    const { code } = request.body as { code: string };
    if (elsewhere.has(session)) return json(421, { message: `session ${session} is held by another node` });
    if (!live.has(session)) return json(404, { message: `unknown session ${session}` });
    log.push(`start ${code}`);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, options.runDelayMs ?? 0);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
    log.push(`end ${code}`);
    return eventStream([sse('stdout', `${code} in ${session}\n`), sse('exit', OK_RESULT)]);
  });
  return { client: new SandboxClient('', fetch), live, elsewhere, requests, log };
}

const noOutput = () => {};

describe('PlaygroundSession', () => {
  it('creates one session on the first run and reuses it for every later run', async () => {
    const { client, requests } = fakeSandbox();
    const playground = new PlaygroundSession(client);
    const output: string[] = [];
    await playground.run(
      'docker run -d --name web nginx',
      (_s, text) => output.push(text),
      new AbortController().signal,
    );
    await playground.run('docker ps', (_s, text) => output.push(text), new AbortController().signal);
    expect(output).toEqual(['docker run -d --name web nginx in s1\n', 'docker ps in s1\n']);
    expect(requests.filter((r) => r.url === '/api/sessions')).toHaveLength(1);
  });

  it('runs one at a time in the order asked, telling a waiting run it is queued', async () => {
    const { client, log } = fakeSandbox({ runDelayMs: 30 });
    const playground = new PlaygroundSession(client);
    let queued = 0;
    const first = playground.run('one', noOutput, new AbortController().signal);
    const second = playground.run('two', noOutput, new AbortController().signal, () => queued++);
    await Promise.all([first, second]);
    expect(log).toEqual(['start one', 'end one', 'start two', 'end two']);
    expect(queued).toBe(1);
  });

  it('replaces an expired session once and says so', async () => {
    const { client, live } = fakeSandbox();
    const playground = new PlaygroundSession(client);
    await playground.run('one', noOutput, new AbortController().signal);
    live.clear();
    const output: string[] = [];
    const run = await playground.run('two', (_s, text) => output.push(text), new AbortController().signal);
    expect(run.renewed).toBe(true);
    expect(output).toEqual(['two in s2\n']);
    const next = await playground.run('three', noOutput, new AbortController().signal);
    expect(next.renewed).toBe(false);
  });

  it('replaces a session whose server went away (421 from another node) like an expired one', async () => {
    const { client, live, elsewhere } = fakeSandbox();
    const playground = new PlaygroundSession(client);
    await playground.run('one', noOutput, new AbortController().signal);
    live.delete('s1');
    elsewhere.add('s1');
    const output: string[] = [];
    const run = await playground.run('two', (_s, text) => output.push(text), new AbortController().signal);
    expect(run.renewed).toBe(true);
    expect(output).toEqual(['two in s2\n']);
  });

  it('reset deletes the session and the next run starts a fresh one', async () => {
    const { client, live, requests } = fakeSandbox();
    const playground = new PlaygroundSession(client);
    await playground.run('one', noOutput, new AbortController().signal);
    await playground.reset();
    expect(live.size).toBe(0);
    const output: string[] = [];
    await playground.run('two', (_s, text) => output.push(text), new AbortController().signal);
    expect(output).toEqual(['two in s2\n']);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toContain('DELETE /api/sessions/s1');
  });

  it('reset without a session does nothing', async () => {
    const { client, requests } = fakeSandbox();
    await new PlaygroundSession(client).reset();
    expect(requests).toEqual([]);
  });

  it('a run stopped while waiting leaves the queue; the next still waits for the earlier one', async () => {
    const { client, log } = fakeSandbox({ runDelayMs: 40 });
    const playground = new PlaygroundSession(client);
    const first = playground.run('one', noOutput, new AbortController().signal);
    const stop = new AbortController();
    const second = playground.run('two', noOutput, stop.signal);
    const third = playground.run('three', noOutput, new AbortController().signal);
    stop.abort(new DOMException('Stopped', 'AbortError'));
    await expect(second).rejects.toThrow('Stopped');
    await Promise.all([first, third]);
    expect(log).toEqual(['start one', 'end one', 'start three', 'end three']);
  });

  it('a failed session creation is retried by the next run', async () => {
    let attempts = 0;
    const { fetch } = fakeFetch((request) => {
      if (request.url === '/api/sessions') {
        attempts++;
        return attempts === 1
          ? json(429, { message: 'busy' }, { 'retry-after': '2' })
          : json(201, { id: 'ok', expiresAt: '' });
      }
      return eventStream([sse('exit', OK_RESULT)]);
    });
    const playground = new PlaygroundSession(new SandboxClient('', fetch));
    await expect(playground.run('one', noOutput, new AbortController().signal)).rejects.toMatchObject({
      problem: { kind: 'busy', retryAfterS: 2 },
    });
    await expect(playground.run('one', noOutput, new AbortController().signal)).resolves.toMatchObject({
      renewed: false,
    });
  });

  it('release ends the session with a keepalive request', async () => {
    const { client, requests } = fakeSandbox();
    const playground = new PlaygroundSession(client);
    await playground.run('one', noOutput, new AbortController().signal);
    playground.release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/api/sessions/s1', keepalive: true });
  });
});
