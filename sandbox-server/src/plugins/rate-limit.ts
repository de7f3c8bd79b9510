/**
 * Per-client rate limit on every request the API scope it is registered in handles, whatever the
 * request target looked like (absolute form, odd spellings, any method, unknown paths): the limit is a
 * hook of the scope, not a match on the URL. Clients are counted by clientKey (signed-in identity, else address, IPv6 by /64).
 * Counts live in SharedCounters (counters/): in memory, or across nodes with REDIS_URL.
 * The static site and the health routes live outside that scope: a page load fetches many assets,
 * and monitors poll health (which answers from a cache).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { SharedCounters } from '../counters/counters.ts';
import { rateLimitStore } from '../counters/rate-limit-store.ts';
import { clientKey } from './client-identity.ts';
import { errorBody } from './error-handling.ts';

export async function registerRateLimit(
  scope: FastifyInstance,
  config: Config,
  counters: SharedCounters,
): Promise<void> {
  await scope.register(rateLimit, {
    // Counted where the other per-client limits are: this process, or the store the nodes share.
    store: rateLimitStore(counters),
    // Not per route: one hook on the scope covers its routes and its 404 handler alike.
    global: false,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: clientKey,
    errorResponseBuilder: (_request, context) => ({
      ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} exceeded; retry later`),
      // The plugin throws what this returns; a statusCode makes the error handler answer 429.
    }),
  });
  // After the scope's earlier onRequest hooks (sign-in: the key may be the identity), before any body is read.
  scope.addHook('onRequest', scope.rateLimit());
}
