/**
 * What per-client limits count on, so that they hold across nodes when the nodes share a store:
 * - `hit`: requests in a fixed window (the API's rate limit);
 * - `acquire`: one of a limited number of places held until released (a client's runs in progress,
 *   its live sessions).
 * One node keeps them in memory (memory-counters.ts: the behaviour of a single server, unchanged); with
 * REDIS_URL every node counts in the same Redis/Valkey (redis-counters.ts). Capacity that belongs to one
 * node — its run slots, its session limit, the fair share of its slots — stays local on purpose.
 */

export interface WindowCount {
  /** Hits of this key in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number;
}

/** A place taken with `acquire`. Releasing twice is harmless; releasing never throws. */
export interface Lease {
  release(): Promise<void>;
}

export interface CountersHealth {
  /** Where the counts live: this process, or the shared store. */
  store: 'memory' | 'redis';
  reachable: boolean;
  error?: string;
}

export interface SharedCounters {
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /** A place under `key` if fewer than `limit` are held, else null. */
  acquire(key: string, limit: number): Promise<Lease | null>;
  health(): CountersHealth;
  /** Waits (bounded) until the store answers; a store that does not is reported by health(). */
  start(): Promise<void>;
  close(): Promise<void>;
}
