import { describe, expect, it } from 'vitest';
import { MemoryCounters } from '../../../sandbox-server/src/counters/memory-counters.ts';
import { BusyError } from '../../../sandbox-server/src/errors.ts';
import { RunQueue, type RunQueueOptions } from '../../../sandbox-server/src/runs/run-queue.ts';

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const open = new AbortController().signal;
const tick = () => new Promise((r) => setImmediate(r));

function queueWith(options: Partial<RunQueueOptions>): RunQueue {
  return new RunQueue({
    concurrency: 2,
    queueLimit: 10,
    perClientConcurrency: 100,
    perClientQueueLimit: 100,
    expectedRunMs: 100,
    counters: new MemoryCounters(),
    ...options,
  });
}

/** One request of `client` through admission and a slot, released when it settles. */
async function request<T>(
  queue: RunQueue,
  client: string,
  task: () => Promise<T>,
  signal = open,
): Promise<T> {
  const admission = await queue.admit(client);
  return admission.slot(task, signal).finally(() => admission.release());
}

describe('RunQueue', () => {
  it('runs at most `concurrency` tasks at once, the rest in order', async () => {
    const queue = queueWith({ concurrency: 2 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const tasks = gates.map((gate, i) =>
      request(queue, `client-${i}`, async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.waiting]).toEqual([2, 1]);
    gates[0]?.resolve();
    await tasks[0];
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    await Promise.all(tasks);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('refuses with BusyError and a Retry-After when the queue is full', async () => {
    const queue = queueWith({ concurrency: 1, queueLimit: 1, expectedRunMs: 2500 });
    const gate = deferred();
    const first = request(queue, 'a', () => gate.promise);
    const second = request(queue, 'b', () => gate.promise);
    const third = request(queue, 'c', () => gate.promise);
    await expect(third).rejects.toBeInstanceOf(BusyError);
    await expect(third).rejects.toMatchObject({ statusCode: 429, retryAfterS: 5 });
    gate.resolve();
    await Promise.all([first, second]);
  });

  it('drops a waiter whose client went away', async () => {
    const queue = queueWith({ concurrency: 1 });
    const gate = deferred();
    const first = request(queue, 'a', () => gate.promise);
    const leaving = new AbortController();
    let ran = false;
    const second = request(
      queue,
      'b',
      async () => {
        ran = true;
      },
      leaving.signal,
    );
    leaving.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    expect(queue.waiting).toBe(0);
    gate.resolve();
    await first;
    expect(ran).toBe(false);
    expect(queue.running).toBe(0);
  });

  it('refuses a client beyond its share of runs in progress at once, whatever the global room', async () => {
    const queue = queueWith({ concurrency: 10, perClientConcurrency: 1, perClientQueueLimit: 1 });
    await queue.admit('flood');
    const second = await queue.admit('flood');
    await expect(queue.admit('flood')).rejects.toThrow(BusyError);
    await expect(queue.admit('flood')).rejects.toThrow(/already has 2 runs in progress/);
    await expect(queue.admit('reader')).resolves.toBeDefined();
    second.release();
    await tick();
    await expect(queue.admit('flood')).resolves.toBeDefined();
  });

  it('counts a client’s share in the counters it is given, which several nodes may share', async () => {
    const shared = new MemoryCounters();
    const nodeA = queueWith({ perClientConcurrency: 1, perClientQueueLimit: 0, counters: shared });
    const nodeB = queueWith({ perClientConcurrency: 1, perClientQueueLimit: 0, counters: shared });
    const onA = await nodeA.admit('reader');
    await expect(nodeB.admit('reader')).rejects.toThrow(BusyError);
    onA.release();
    await tick();
    await expect(nodeB.admit('reader')).resolves.toBeDefined();
  });

  it('settles idle() once every admitted run is answered', async () => {
    const queue = queueWith({});
    await queue.idle();
    const admission = await queue.admit('a');
    let idle = false;
    const waiting = queue.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    admission.release();
    await waiting;
    expect(idle).toBe(true);
  });

  it('gives a freed slot to a waiting client under its share, not to the flooding client first in line', async () => {
    const queue = queueWith({ concurrency: 2, perClientConcurrency: 1, perClientQueueLimit: 5 });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const run = (client: string, name: string) => {
      const gate = deferred();
      gates.set(name, gate);
      return request(queue, client, async () => {
        started.push(name);
        await gate.promise;
      });
    };
    const flood = [run('flood', 'f1'), run('flood', 'f2'), run('flood', 'f3')];
    await tick();
    // The flood holds its share (1 of 2 slots); its other runs wait although a slot is free.
    expect(started).toEqual(['f1']);
    expect([queue.running, queue.waiting]).toEqual([1, 2]);
    const reader = run('reader', 'r1');
    await tick();
    expect(started).toEqual(['f1', 'r1']);
    gates.get('r1')?.resolve();
    await reader;
    gates.get('f1')?.resolve();
    await flood[0];
    await tick();
    expect(started).toEqual(['f1', 'r1', 'f2']);
    for (const name of ['f2', 'f3']) {
      gates.get(name)?.resolve();
      await tick();
    }
    await Promise.all(flood);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('hands a freed slot to the waiting client with the fewest runs executing, not to the first in line', async () => {
    const queue = queueWith({ concurrency: 2, perClientConcurrency: 2, perClientQueueLimit: 5 });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const run = (client: string, name: string) => {
      const gate = deferred();
      gates.set(name, gate);
      return request(queue, client, async () => {
        started.push(name);
        await gate.promise;
      });
    };
    const runs = [run('flood', 'f1'), run('flood', 'f2'), run('flood', 'f3'), run('reader', 'r1')];
    await tick();
    expect(started).toEqual(['f1', 'f2']);
    gates.get('f1')?.resolve();
    await tick();
    // f3 waited longer, but the flood still has a run executing and the reader has none.
    expect(started).toEqual(['f1', 'f2', 'r1']);
    for (const name of ['f2', 'r1', 'f3']) {
      gates.get(name)?.resolve();
      await tick();
    }
    await Promise.all(runs);
    expect(started).toEqual(['f1', 'f2', 'r1', 'f3']);
  });

  it('holds no global slot while a run waits before taking one (for its session)', async () => {
    const queue = queueWith({ concurrency: 1 });
    const session = deferred();
    const admission = await queue.admit('a');
    const waitingForSession = session.promise.then(() => admission.slot(async () => 'session run', open));
    expect(await request(queue, 'b', async () => 'other client ran')).toBe('other client ran');
    session.resolve();
    expect(await waitingForSession).toBe('session run');
    admission.release();
  });
});
