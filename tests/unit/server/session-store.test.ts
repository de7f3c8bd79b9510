import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { MemoryCounters } from '../../../sandbox-server/src/counters/memory-counters.ts';
import {
  BadRequestError,
  BusyError,
  MisdirectedSessionError,
  NotFoundError,
} from '../../../sandbox-server/src/errors.ts';
import {
  type PlaygroundSource,
  SESSION_NOT_FOUND_MESSAGE,
  SessionStore,
} from '../../../sandbox-server/src/playground/session-store.ts';

const silent = { info() {}, warn() {} } as unknown as FastifyBaseLogger;
const IDLE_MS = 10 * 60_000;
const MAX_MS = 30 * 60_000;
const signal = new AbortController().signal;

/** Hands out playgrounds `p1`, `p2`…, optionally only when `open()` is called; records releases. */
class FakePlaygrounds implements PlaygroundSource {
  readonly released: string[] = [];
  readonly waiting: Array<() => void> = [];
  hold = false;
  fail: Error | undefined;
  #next = 1;

  async acquire(abort: AbortSignal): Promise<string> {
    if (this.fail) throw this.fail;
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push(resolve);
        abort.addEventListener('abort', () => reject(abort.reason), { once: true });
      });
    }
    return `p${this.#next++}`;
  }

  async release(id: string): Promise<void> {
    this.released.push(id);
  }

  open(): void {
    this.hold = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

function setup(limits: Partial<{ perServer: number; perClient: number }> = {}) {
  let nowMs = 1_000_000;
  const playgrounds = new FakePlaygrounds();
  const store = new SessionStore({
    nodeId: 'node-a',
    counters: new MemoryCounters(),
    limits: { idleTimeoutMs: IDLE_MS, maxLifetimeMs: MAX_MS, perServer: 4, perClient: 2, ...limits },
    playgrounds,
    log: silent,
    sweepIntervalMs: 1_000,
    now: () => nowMs,
  });
  return {
    store,
    playgrounds,
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

/** A promise with its resolve function, to hold a run until the test lets it finish. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('SessionStore', () => {
  it('creates sessions with unguessable ids, each with a playground of its own', async () => {
    const { store, now } = setup();
    const a = await store.create('192.0.2.11', signal);
    const b = await store.create('2.2.2.2', signal);
    expect(a.id).toMatch(/^node-a\.[A-Za-z0-9_-]{22}$/);
    expect(a.id).not.toBe(b.id);
    expect(store.get(a.id).playgroundId).not.toBe(store.get(b.id).playgroundId);
    expect(a.expiresAtMs).toBe(now() + IDLE_MS);
    expect(store.size).toBe(2);
  });

  it('answers an unknown id of this node with a 404 that tells the page to start a new session', () => {
    const { store } = setup();
    let error: unknown;
    try {
      store.get(`node-a.${'A'.repeat(22)}`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ statusCode: 404, message: SESSION_NOT_FOUND_MESSAGE });
    expect(SESSION_NOT_FOUND_MESSAGE).toMatch(/start a new session \(POST \/api\/sessions\)/);
  });

  it('answers an id of another node with 421 naming both nodes, and a malformed id with 400', () => {
    const { store } = setup();
    expect(() => store.get(`node-b.${'A'.repeat(22)}`)).toThrow(MisdirectedSessionError);
    expect(() => store.get(`node-b.${'A'.repeat(22)}`)).toThrow(
      /held by node "node-b", and this is node "node-a"/,
    );
    for (const malformed of ['no-such-session', `node-a.${'A'.repeat(21)}`, `Node-A.${'A'.repeat(22)}`, '']) {
      expect(() => store.get(malformed), malformed).toThrow(BadRequestError);
    }
  });

  it('ends a session after the idle timeout and destroys its playground', async () => {
    const { store, playgrounds, advance } = setup();
    const { id } = await store.create('192.0.2.11', signal);
    const { playgroundId } = store.get(id);
    advance(IDLE_MS - 1);
    expect(store.get(id).id).toBe(id);
    advance(1);
    expect(() => store.get(id)).toThrow(NotFoundError);
    await store.sweep();
    expect(playgrounds.released).toEqual([playgroundId]);
    expect(store.size).toBe(0);
  });

  it('extends a session with each run, up to its maximum lifetime', async () => {
    const { store, now, advance } = setup();
    const { id } = await store.create('192.0.2.11', signal);
    const session = store.get(id);
    advance(IDLE_MS - 1_000);
    await store.runExclusive(session, async () => {});
    expect(store.expiresAtMs(session)).toBe(now() + IDLE_MS);
    advance(IDLE_MS - 1_000);
    expect(store.get(id).id).toBe(id);
    // Kept in use, it still ends MAX_MS after it began.
    for (let used = 2 * (IDLE_MS - 1_000); used < MAX_MS - 60_000; used += 60_000) {
      await store.runExclusive(session, async () => {});
      advance(60_000);
    }
    expect(store.expiresAtMs(session)).toBe(session.createdMs + MAX_MS);
    advance(session.createdMs + MAX_MS - now());
    expect(() => store.get(id)).toThrow(NotFoundError);
  });

  it('does not idle out a session while a run is in progress; idle time counts from its end', async () => {
    const { store, playgrounds, advance } = setup();
    const { id } = await store.create('192.0.2.11', signal);
    const hold = deferred();
    const running = store.runExclusive(store.get(id), () => hold.promise);
    advance(IDLE_MS + 1);
    await store.sweep();
    expect(playgrounds.released).toEqual([]);
    hold.resolve();
    await running;
    advance(IDLE_MS - 1);
    await store.sweep();
    expect(store.get(id).id).toBe(id);
    advance(1);
    await store.sweep();
    expect(store.size).toBe(0);
  });

  it('ends a session at its maximum lifetime even while it runs', async () => {
    const { store, playgrounds, advance } = setup();
    const { id } = await store.create('192.0.2.11', signal);
    const hold = deferred();
    const started = deferred();
    const running = store.runExclusive(store.get(id), () => {
      started.resolve();
      return hold.promise;
    });
    await started.promise;
    advance(MAX_MS);
    await store.sweep();
    expect(playgrounds.released).toEqual(['p1']);
    hold.resolve();
    await running;
  });

  it('runs a session’s snippets one at a time, in the order they arrive', async () => {
    const { store } = setup();
    const session = store.get((await store.create('192.0.2.11', signal)).id);
    const events: string[] = [];
    const holds = [deferred(), deferred(), deferred()];
    const runs = holds.map((hold, i) =>
      store.runExclusive(session, async () => {
        events.push(`start ${i}`);
        await hold.promise;
        events.push(`end ${i}`);
        if (i === 1) throw new Error('run 1 failed');
        return i;
      }),
    );
    // Finish them in reverse order: none may start before the one before it ended.
    holds[2]?.resolve();
    holds[1]?.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['start 0']);
    holds[0]?.resolve();
    const settled = await Promise.allSettled(runs);
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails runs still queued when their session is deleted', async () => {
    const { store } = setup();
    const { id } = await store.create('192.0.2.11', signal);
    const session = store.get(id);
    const hold = deferred();
    const started = deferred();
    const first = store.runExclusive(session, () => {
      started.resolve();
      return hold.promise;
    });
    await started.promise;
    let secondStarted = false;
    const second = store.runExclusive(session, async () => {
      secondStarted = true;
    });
    expect(await store.destroy(id)).toBe(true);
    hold.resolve();
    await first;
    await expect(second).rejects.toThrow(SESSION_NOT_FOUND_MESSAGE);
    expect(secondStarted).toBe(false);
    expect(await store.destroy(id)).toBe(false);
  });

  it('limits live sessions per client and per server with 429s, counting sessions still being created', async () => {
    const { store, playgrounds } = setup({ perServer: 3, perClient: 2 });
    playgrounds.hold = true;
    const attempts = ['a', 'a', 'a', 'b', 'c', 'c'].map((client) => store.create(client, signal));
    playgrounds.open();
    const settled = await Promise.allSettled(attempts);
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    const [perClient, , perServer] = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => s.reason as BusyError);
    expect(perClient).toBeInstanceOf(BusyError);
    expect(perClient).toMatchObject({ statusCode: 429, retryAfterS: expect.any(Number) });
    expect(perClient?.message).toMatch(/this client already has 2 playground sessions/);
    expect(perServer?.message).toMatch(/all 3 playground sessions are in use/);
    expect(store.size).toBe(3);
  });

  it('frees the slot of a creation that failed or was abandoned', async () => {
    const { store, playgrounds } = setup({ perServer: 1, perClient: 1 });
    playgrounds.fail = new Error('boot failed');
    await expect(store.create('a', signal)).rejects.toThrow('boot failed');
    playgrounds.fail = undefined;
    playgrounds.hold = true;
    const gone = new AbortController();
    const abandoned = store.create('a', gone.signal);
    gone.abort(new Error('client disconnected'));
    await expect(abandoned).rejects.toThrow('client disconnected');
    playgrounds.hold = false;
    expect((await store.create('a', signal)).id).toBeTruthy();
  });

  it('lets a client start a new session once one of its sessions has ended', async () => {
    const { store, advance } = setup({ perClient: 1 });
    const { id } = await store.create('a', signal);
    await expect(store.create('a', signal)).rejects.toBeInstanceOf(BusyError);
    advance(IDLE_MS);
    await store.sweep();
    expect(store.get((await store.create('a', signal)).id).client).toBe('a');
    expect(() => store.get(id)).toThrow(NotFoundError);
  });

  it('destroys every playground on close and refuses new sessions', async () => {
    const { store, playgrounds } = setup();
    await store.create('a', signal);
    await store.create('b', signal);
    await store.close();
    expect(playgrounds.released.sort()).toEqual(['p1', 'p2']);
    await expect(store.create('c', signal)).rejects.toMatchObject({ statusCode: 503 });
  });

  it('refuses new sessions with 503 once told to, while the live ones go on until closed', async () => {
    const { store, playgrounds } = setup();
    const { id } = await store.create('a', signal);
    store.refuseNew('draining');
    await expect(store.create('b', signal)).rejects.toMatchObject({ statusCode: 503, message: 'draining' });
    expect(store.get(id).client).toBe('a');
    const ended: Array<[string, string]> = [];
    store.onEnd((sessionId, reason) => ended.push([sessionId, reason]));
    await store.close('the node went away');
    expect(ended).toEqual([[id, 'the node went away']]);
    expect(playgrounds.released).toEqual(['p1']);
  });
});
