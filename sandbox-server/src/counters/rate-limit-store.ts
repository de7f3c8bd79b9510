/**
 * @fastify/rate-limit's store interface (a class it instantiates; `incr` with a callback, `child` per
 * route) on top of SharedCounters, so the API's rate limit counts in the same place as the other
 * per-client limits: in memory on one node, in the shared store across nodes.
 */
import type { SharedCounters } from './counters.ts';

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

export function rateLimitStore(counters: SharedCounters) {
  return class CountersRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindowMs: number): void {
      counters.hit(`rate:${key}`, timeWindowMs).then(
        ({ count, resetInMs }) => callback(null, { current: count, ttl: resetInMs }),
        (error: Error) => callback(error),
      );
    }

    /** One limit for the whole API scope: every route counts against the same key. */
    child(): CountersRateLimitStore {
      return this;
    }
  };
}
