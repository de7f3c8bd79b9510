/**
 * Who is asking: the key every per-client quota counts on (rate limit, concurrent runs, sessions).
 *
 * - A signed-in identity (plugins/auth.ts) when there is one, so a team member's quota follows them.
 * - Otherwise the client address as fastify derives it under TRUST_PROXY: with a hop count it believes
 *   that many X-Forwarded-For entries from the right, with a list of proxy addresses it walks from the
 *   right past those proxies only — never the left-most entry, which the client writes itself.
 * - IPv6 addresses are grouped by /64: one subscriber usually holds a whole /64 and could otherwise
 *   take a fresh address per request.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

/** fastify's `trustProxy` option for TRUST_PROXY. */
export function trustProxyOption(
  config: Config,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const setting = config.trustProxy;
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return [...setting];
}

/** Matches the addresses TRUST_PROXY lists (a hop count or `false` lists none). */
export function trustedProxies(config: Config): BlockList {
  const list = new BlockList();
  if (!Array.isArray(config.trustProxy)) return list;
  for (const entry of config.trustProxy as readonly string[]) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** The quota key of a bare address: IPv4 as is, IPv6 as its /64 (an IPv4-mapped IPv6 address as IPv4). */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups].map((group) =>
    Number.parseInt(group, 16).toString(16),
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user (plugins/auth.ts); null without sign-in. */
    identity: string | null;
  }
}

/** The key every per-client limit counts on: `user:<name>` when signed in, else the address key. */
export function clientKey(request: FastifyRequest): string {
  return request.identity === null ? addressKey(request.ip) : `user:${request.identity}`;
}
