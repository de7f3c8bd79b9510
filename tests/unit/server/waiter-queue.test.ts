import { describe, expect, it } from 'vitest';
import { WaiterQueue } from '../../../sandbox-server/src/waiter-queue.ts';

describe('WaiterQueue', () => {
  it('hands values out oldest first', async () => {
    const queue = new WaiterQueue<string, number>();
    const first = queue.wait('a', new AbortController().signal);
    const second = queue.wait('b', new AbortController().signal);
    expect([...queue.entries()]).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(queue.resolveFirst(1)).toBe(true);
    expect(queue.resolveFirst(2)).toBe(true);
    expect(queue.resolveFirst(3)).toBe(false);
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toBe(2);
    expect(queue.length).toBe(0);
  });

  it('hands a value to the waiter at a chosen position', async () => {
    const queue = new WaiterQueue<string, number>();
    const first = queue.wait('a', new AbortController().signal);
    const second = queue.wait('b', new AbortController().signal);
    expect(queue.resolveAt(1, 7)).toBe(true);
    await expect(second).resolves.toBe(7);
    expect([...queue.entries()]).toEqual([[0, 'a']]);
    queue.resolveFirst(8);
    await expect(first).resolves.toBe(8);
  });

  it('an aborted waiter leaves the queue with the reason, and the next value goes to the one behind it', async () => {
    const queue = new WaiterQueue<string, number>();
    const gone = new AbortController();
    const leaving = queue.wait('a', gone.signal);
    const staying = queue.wait('b', new AbortController().signal);
    const reason = new Error('client went away');
    gone.abort(reason);
    await expect(leaving).rejects.toBe(reason);
    expect(queue.length).toBe(1);
    queue.resolveFirst(5);
    await expect(staying).resolves.toBe(5);
  });

  it('a signal that has already aborted is refused without joining the queue', async () => {
    const queue = new WaiterQueue<string, number>();
    const reason = new Error('already gone');
    await expect(queue.wait('a', AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(queue.length).toBe(0);
  });

  it('rejectAll fails every waiter and empties the queue', async () => {
    const queue = new WaiterQueue<string, number>();
    const waiting = [
      queue.wait('a', new AbortController().signal),
      queue.wait('b', new AbortController().signal),
    ];
    const error = new Error('shutting down');
    queue.rejectAll(error);
    for (const promise of waiting) await expect(promise).rejects.toBe(error);
    expect(queue.length).toBe(0);
  });
});
