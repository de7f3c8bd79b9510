/** SharedCounters of one node, in this process's memory: what a server without REDIS_URL uses. */
import type { CountersHealth, Lease, SharedCounters, WindowCount } from './counters.ts';

/** Expired windows are dropped once this many keys are held, so idle clients do not accumulate. */
const PRUNE_AT_KEYS = 10_000;

export class MemoryCounters implements SharedCounters {
  readonly #windows = new Map<string, { count: number; endsAtMs: number }>();
  readonly #held = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const nowMs = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.endsAtMs <= nowMs) {
      if (this.#windows.size >= PRUNE_AT_KEYS) this.#prune(nowMs);
      window = { count: 0, endsAtMs: nowMs + windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    return { count: window.count, resetInMs: window.endsAtMs - nowMs };
  }

  async acquire(key: string, limit: number): Promise<Lease | null> {
    const held = this.#held.get(key) ?? 0;
    if (held >= limit) return null;
    this.#held.set(key, held + 1);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const left = (this.#held.get(key) ?? 1) - 1;
        if (left === 0) this.#held.delete(key);
        else this.#held.set(key, left);
      },
    };
  }

  health(): CountersHealth {
    return { store: 'memory', reachable: true };
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.#windows.clear();
    this.#held.clear();
  }

  #prune(nowMs: number): void {
    for (const [key, window] of this.#windows) if (window.endsAtMs <= nowMs) this.#windows.delete(key);
  }
}
