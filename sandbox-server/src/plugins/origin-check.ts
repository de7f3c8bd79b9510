/**
 * Only Dockyard's own pages may change state. A browser sends Origin with every POST and DELETE;
 * one from another site is refused with 403 before anything runs. That is the second half of the
 * cross-site defence: the first is that state-changing routes take a JSON body only (a cross-site
 * form cannot send one, and a script must pass a CORS preflight to), and that DELETE is not a
 * method a page may send cross-site without one. Requests without Origin (curl, API clients) pass:
 * no browser omits it on these methods. A WebSocket endpoint must call isAllowedOrigin on its upgrade
 * request (browsers do not preflight WebSockets).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { HttpError } from '../errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a page of `origin` may drive this server: the site's own origin (the one the request is
 * addressed to, whose Host the host allow-list has already checked) or one listed in CORS_ORIGINS.
 */
export function isAllowedOrigin(config: Config, origin: string, requestHost: string | undefined): boolean {
  if (config.corsOrigins.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage
  }
  return parsed.origin === origin && requestHost !== undefined && parsed.host === requestHost.toLowerCase();
}

export function registerOriginCheck(scope: FastifyInstance, config: Config): void {
  scope.addHook('onRequest', async (request: FastifyRequest) => {
    const origin = request.headers.origin;
    if (origin === undefined || !STATE_CHANGING.has(request.method)) return;
    if (!isAllowedOrigin(config, origin, request.headers.host)) {
      throw new HttpError(403, `requests from ${origin} are not allowed; add it to CORS_ORIGINS to allow it`);
    }
  });
}
