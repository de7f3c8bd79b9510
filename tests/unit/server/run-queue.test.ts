import { describe, expect, it } from 'vitest';
import { BusyError } from '../../../sandbox-server/src/errors.ts';
import { RunQueue } from '../../../sandbox-server/src/runs/run-queue.ts';

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('RunQueue', () => {
  it('runs at most `concurrency` tasks at once, the rest in order', async () => {
    const queue = new RunQueue({ concurrency: 2, queueLimit: 10, expectedRunMs: 100 });
    const signal = new AbortController().signal;
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const tasks = gates.map((gate, i) =>
      queue.schedule(async () => {
        started.push(i);
        await gate.promise;
      }, signal),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.waiting]).toEqual([2, 1]);
    gates[0]?.resolve();
    await tasks[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    await Promise.all(tasks);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('refuses with BusyError and a Retry-After when the queue is full', async () => {
    const queue = new RunQueue({ concurrency: 1, queueLimit: 1, expectedRunMs: 2500 });
    const signal = new AbortController().signal;
    const gate = deferred();
    const first = queue.schedule(() => gate.promise, signal);
    const second = queue.schedule(() => gate.promise, signal);
    const third = queue.schedule(() => gate.promise, signal);
    await expect(third).rejects.toBeInstanceOf(BusyError);
    await expect(third).rejects.toMatchObject({ statusCode: 429, retryAfterS: 5 });
    gate.resolve();
    await Promise.all([first, second]);
  });

  it('drops a waiter whose client went away', async () => {
    const queue = new RunQueue({ concurrency: 1, queueLimit: 5, expectedRunMs: 100 });
    const gate = deferred();
    const first = queue.schedule(() => gate.promise, new AbortController().signal);
    const leaving = new AbortController();
    let ran = false;
    const second = queue.schedule(async () => {
      ran = true;
    }, leaving.signal);
    leaving.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    expect(queue.waiting).toBe(0);
    gate.resolve();
    await first;
    expect(ran).toBe(false);
    expect(queue.running).toBe(0);
  });
});
