/**
 * Per-client-IP rate limit on the API. The static site is not limited (a page
 * load fetches many assets) and neither is the health check (monitors poll it).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { errorBody } from './error-handling.ts';

export async function registerRateLimit(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(rateLimit, {
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    allowList: (request) => !request.url.startsWith('/api/') || request.url.startsWith('/api/health'),
    errorResponseBuilder: (_request, context) => ({
      ...errorBody(429, `rate limit of ${context.max} requests per ${context.after} exceeded; retry later`),
      // The plugin throws what this returns; a statusCode makes the error handler answer 429.
    }),
  });
}
