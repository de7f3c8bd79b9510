/**
 * Optional sign-in (AUTH_MODE), off by default for a public read-only handbook:
 * - token: `Authorization: Bearer <token>`; tokens come from AUTH_TOKENS_FILE or AUTH_TOKENS, are kept
 *   only as SHA-256 digests, and a presented token's digest is compared with every stored one in
 *   constant time. The identity is the token's name.
 * - proxy: a reverse proxy that signs readers in (oauth2-proxy, Authelia…) sets AUTH_PROXY_HEADER; the
 *   header is believed only on connections from a TRUST_PROXY address, so a client reaching the server
 *   directly cannot name itself.
 * Every request of the scope gets `request.identity` (null in mode none); without one in the other
 * modes the answer is 401. In token mode a terminal WebSocket may present a terminal ticket instead
 * (terminals/terminal-tickets.ts): browsers cannot set headers on a WebSocket.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Config, hashToken } from '../config.ts';
import { HttpError } from '../errors.ts';
import type { TerminalTickets } from '../terminals/terminal-tickets.ts';
import { trustedProxies } from './client-identity.ts';

/** A header value of at most this many characters; longer is refused rather than hashed or logged. */
const MAX_IDENTITY_LENGTH = 256;

/** The signed-in identity of a request: a name, null when unauthenticated; throws 401 when one is required. */
export type Authenticate = (request: FastifyRequest) => string | null;

export function createAuthenticator(config: Config): Authenticate {
  switch (config.authMode) {
    case 'none':
      return () => null;
    case 'token':
      return (request) => {
        const header = request.headers.authorization ?? '';
        const token = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header)?.[1];
        const name = token === undefined ? null : tokenHolder(config, token);
        if (name === null) {
          throw new HttpError(401, 'sign-in required: send Authorization: Bearer <your team token>');
        }
        return name;
      };
    case 'proxy': {
      const proxies = trustedProxies(config);
      const header = config.authProxyHeader.toLowerCase();
      return (request) => {
        const peer = unmapped(request.socket.remoteAddress ?? '');
        const value = request.headers[header];
        const fromProxy = peer !== '' && proxies.check(peer, peer.includes(':') ? 'ipv6' : 'ipv4');
        if (!fromProxy || typeof value !== 'string' || value === '' || value.length > MAX_IDENTITY_LENGTH) {
          throw new HttpError(401, 'sign-in required: reach this server through its sign-in proxy');
        }
        return value;
      };
    }
  }
}

/** An IPv4-mapped IPv6 peer (a dual-stack listener) as the IPv4 address TRUST_PROXY lists. */
function unmapped(address: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

/** The name of the token's holder, or null; every stored digest is compared, each in constant time. */
function tokenHolder(config: Config, token: string): string | null {
  const presented = hashToken(token);
  let holder: string | null = null;
  for (const [name, digest] of config.authTokenHashes) {
    if (timingSafeEqual(presented, digest)) holder = name;
  }
  return holder;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes a terminal ticket (`?ticket=`) in place of the Authorization header (a WebSocket). */
    acceptsTerminalTicket?: boolean;
  }
}

export function registerAuth(scope: FastifyInstance, config: Config, tickets: TerminalTickets): void {
  const authenticate = createAuthenticator(config);
  scope.addHook('onRequest', async (request) => {
    // A CORS preflight carries no credentials by design; it runs nothing.
    if (request.method === 'OPTIONS') return;
    const ticket = (request.query as { ticket?: unknown }).ticket;
    if (
      config.authMode === 'token' &&
      request.routeOptions.config.acceptsTerminalTicket === true &&
      request.headers.authorization === undefined &&
      typeof ticket === 'string'
    ) {
      const sessionId = (request.params as { id?: string }).id ?? '';
      const redeemed = tickets.redeem(ticket, sessionId);
      if (redeemed === null) {
        throw new HttpError(401, 'terminal ticket not valid: it was used, expired or is for another session');
      }
      request.identity = redeemed.identity;
      return;
    }
    request.identity = authenticate(request);
  });
}
