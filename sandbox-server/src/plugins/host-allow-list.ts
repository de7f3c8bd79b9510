/**
 * Answers only requests addressed to Dockyard's own names: a DNS-rebinding page (evil.example
 * resolving to 127.0.0.1) reaches the server with its own name in Host and is refused with 421.
 * PUBLIC_HOSTS lists the allowed `host:port` values; by default the loopback names with the port the
 * request arrived on. An absolute-form request target (`POST http://x/api/run`) carries a second
 * authority, which must be allowed too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { HttpError } from '../errors.ts';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Whether `host` (a Host header value) names this server. `port`: the port the request arrived on. */
export function isAllowedHost(config: Config, host: string | undefined, port: number | undefined): boolean {
  if (host === undefined || host === '') return false;
  const wanted = host.toLowerCase();
  if (config.publicHosts.length > 0) return config.publicHosts.includes(wanted);
  const serverPort = port ?? config.port;
  return LOOPBACK_NAMES.some(
    (name) => wanted === `${name}:${serverPort}` || (serverPort === 80 && wanted === name),
  );
}

/** The authority of an absolute-form request target, or undefined for the usual origin form. */
function absoluteFormAuthority(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1];
}

export function requestHostIsAllowed(config: Config, request: FastifyRequest): boolean {
  const port = request.socket.localPort;
  const authority = absoluteFormAuthority(request.raw.url ?? '');
  if (authority !== undefined && !isAllowedHost(config, authority, port)) return false;
  return isAllowedHost(config, request.headers.host, port);
}

/** An onRequest hook for the scope it is added to. */
export function registerHostAllowList(scope: FastifyInstance, config: Config): void {
  scope.addHook('onRequest', async (request) => {
    if (!requestHostIsAllowed(config, request)) {
      throw new HttpError(
        421,
        `this server does not answer for host ${JSON.stringify(request.headers.host ?? '')}; ` +
          'set PUBLIC_HOSTS to the names it is reached by',
      );
    }
  });
}
