/**
 * Per-client rate limit on every route of the API scope it is registered in, whatever the request
 * target looked like (absolute form, odd spellings, any method): the limit hangs on the routes, not on
 * URL matching. Clients are counted by clientKey (signed-in identity, else address, IPv6 by /64).
 * The static site and the health routes live outside that scope: a page load fetches many assets,
 * and monitors poll health (which answers from a cache).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { clientKey } from './client-identity.ts';
import { errorBody } from './error-handling.ts';

export async function registerRateLimit(scope: FastifyInstance, config: Config): Promise<void> {
  await scope.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: clientKey,
    // After sign-in (an onRequest hook: the key may be the identity), before the body is even parsed.
    hook: 'preParsing',
    errorResponseBuilder: (_request, context) => ({
      ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} exceeded; retry later`),
      // The plugin throws what this returns; a statusCode makes the error handler answer 429.
    }),
  });
}
