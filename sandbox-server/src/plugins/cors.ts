/**
 * CORS for the API when the site is hosted on another origin
 * (PUBLIC_SANDBOX_URL at build time). Only origins in CORS_ORIGINS are
 * allowed; with none configured the API is same-origin only. Registered in
 * the API scope, so it sees every API route however its path is spelled;
 * preflights (OPTIONS, which no API route answers otherwise) get a route of
 * their own.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';

const PREFLIGHT_MAX_AGE_S = 600;

export function registerCors(scope: FastifyInstance, config: Config): void {
  if (config.corsOrigins.length === 0) return;
  const allowed = new Set(config.corsOrigins);
  scope.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    // Not a CORS-safelisted response header: without this the page cannot read how long to wait on 429.
    reply.header('access-control-expose-headers', 'Retry-After');
  });
  scope.options('/*', async (request, reply) => {
    if (!allowed.has(request.headers.origin ?? '')) return reply.code(204).send();
    reply.header('access-control-allow-methods', 'GET, POST, DELETE');
    reply.header('access-control-allow-headers', 'content-type, accept, authorization');
    reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S));
    return reply.code(204).send();
  });
}
