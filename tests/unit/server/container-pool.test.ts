import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ContainerPool } from '../../../sandbox-server/src/pools/container-pool.ts';

const silent = { info() {}, warn() {} } as unknown as FastifyBaseLogger;

function makePool(size: number, start: () => Promise<string>) {
  const destroyed: string[] = [];
  const pool = new ContainerPool({
    size,
    maxParallelStarts: 2,
    start,
    destroy: async (id) => {
      destroyed.push(id);
    },
    log: silent,
  });
  return { pool, destroyed };
}

describe('ContainerPool', () => {
  it('keeps `size` containers warm and never hands one out twice', async () => {
    let n = 0;
    const { pool, destroyed } = makePool(2, async () => `c${++n}`);
    pool.start();
    await expect.poll(() => pool.health().ready).toBe(2);
    const signal = new AbortController().signal;
    const taken = [await pool.acquire(signal), await pool.acquire(signal), await pool.acquire(signal)];
    expect(new Set(taken).size).toBe(3);
    await Promise.all(taken.map((id) => pool.release(id)));
    expect(destroyed.sort()).toEqual([...taken].sort());
    await expect.poll(() => pool.health()).toMatchObject({ target: 2, ready: 2, inUse: 0 });
    await pool.close();
    expect(destroyed.length).toBe(5);
  });

  it('starts a fresh container per acquire when its size is 0', async () => {
    let n = 0;
    const { pool } = makePool(0, async () => `c${++n}`);
    pool.start();
    expect(pool.health().starting).toBe(0);
    expect(await pool.acquire(new AbortController().signal)).toBe('c1');
    expect(pool.health()).toMatchObject({ ready: 0, starting: 0, inUse: 1 });
    await pool.close();
  });

  it('fails a waiting caller (no hang) and reports the error while it cannot start containers', async () => {
    let broken = true;
    const { pool } = makePool(1, async () => {
      if (broken) throw new Error('engine down');
      return 'ok';
    });
    pool.start();
    await expect(pool.acquire(new AbortController().signal)).rejects.toThrow('engine down');
    expect(pool.health().error).toBe('engine down');
    broken = false;
    // A caller does not wait for the back-off: its own start attempt succeeds at once.
    expect(await pool.acquire(new AbortController().signal)).toBe('ok');
    expect(pool.health().error).toBeUndefined();
    await pool.close();
  });

  it('destroys containers that finish starting after close', async () => {
    let finish: (id: string) => void = () => {};
    const { pool, destroyed } = makePool(1, () => new Promise((resolve) => (finish = resolve)));
    pool.start();
    const closing = pool.close();
    finish('late');
    await closing;
    expect(destroyed).toEqual(['late']);
  });
});
