/**
 * SharedCounters in Redis or Valkey (REDIS_URL), shared by every node of a cluster.
 *
 * - A window is a key incremented by each hit and expiring with the window (INCR, then PEXPIRE on the
 *   first hit), in one script so a crash between the two cannot leave a key that never expires.
 * - A place is a member of a sorted set scored with its expiry (the server's own clock, TIME, so nodes'
 *   clocks do not matter). Taking one drops the expired members, counts the rest and adds one if there
 *   is room, in one script. A node renews its members every LEASE_RENEW_MS; the members of a node that
 *   died stop being renewed and expire after LEASE_TTL_MS, which gives its clients' quota back.
 * A store that does not answer makes the request fail with 503 (SharedStateUnavailableError) rather than
 * let a client past its limits; /api/health/ready reports it, so a load balancer stops sending work.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { SharedStateUnavailableError } from '../errors.ts';
import type { CountersHealth, Lease, SharedCounters, WindowCount } from './counters.ts';

/** How long a place outlives its holder's last renewal: the delay before a dead node's places free up. */
export const LEASE_TTL_MS = 15_000;
const LEASE_RENEW_MS = 5_000;
/** One Redis command's bound; a request never waits longer for a limit to be counted. */
const COMMAND_TIMEOUT_MS = 2_000;
/** How long start() waits for a first connection. */
const CONNECT_WAIT_MS = 5_000;
/** Every key this store writes starts with it, so the store can be shared with other data. */
const KEY_PREFIX = 'dockyard:';

const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

const NOW_MS = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

const ACQUIRE = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const RENEW = `${NOW_MS}
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[1]), ARGV[i + 1])
  redis.call('PEXPIRE', key, ARGV[1])
end
return #KEYS`;

export class RedisCounters implements SharedCounters {
  readonly #redis: Redis;
  readonly #log: FastifyBaseLogger;
  /** This node's places, renewed until released: member → key. */
  readonly #held = new Map<string, string>();
  #renewTimer: NodeJS.Timeout | undefined;
  #lastError: string | undefined;

  constructor(url: string, log: FastifyBaseLogger) {
    this.#log = log;
    this.#redis = new Redis(url, {
      // Fail at once while disconnected instead of queueing requests behind a store that is down.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.#redis.on('error', (error: Error) => {
      if (this.#lastError !== error.message) log.warn({ err: error }, 'shared state store unreachable');
      this.#lastError = error.message;
    });
    this.#redis.on('ready', () => {
      if (this.#lastError !== undefined) log.info('shared state store reachable again');
      this.#lastError = undefined;
    });
  }

  async start(): Promise<void> {
    if (this.#redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CONNECT_WAIT_MS);
        this.#redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#renewTimer = setInterval(() => void this.#renew(), LEASE_RENEW_MS);
    this.#renewTimer.unref();
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttlMs] = (await this.#call(() =>
      this.#redis.eval(HIT, 1, `${KEY_PREFIX}window:${key}`, windowMs),
    )) as [number, number];
    return { count, resetInMs: ttlMs > 0 ? ttlMs : windowMs };
  }

  async acquire(key: string, limit: number): Promise<Lease | null> {
    const fullKey = `${KEY_PREFIX}held:${key}`;
    const member = randomBytes(12).toString('base64url');
    const taken = await this.#call(() => this.#redis.eval(ACQUIRE, 1, fullKey, limit, LEASE_TTL_MS, member));
    if (taken !== 1) return null;
    this.#held.set(member, fullKey);
    return {
      release: async () => {
        if (!this.#held.delete(member)) return;
        // A place that cannot be removed now expires by itself: it is no longer renewed.
        await this.#redis.zrem(fullKey, member).catch((error: unknown) => {
          this.#log.warn({ err: error }, 'releasing a shared place failed; it expires by itself');
        });
      },
    };
  }

  health(): CountersHealth {
    if (this.#redis.status === 'ready') return { store: 'redis', reachable: true };
    return {
      store: 'redis',
      reachable: false,
      error: `shared state store ${this.#redis.status}${this.#lastError ? `: ${this.#lastError}` : ''}`,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.#renewTimer);
    const held = [...this.#held];
    this.#held.clear();
    if (this.#redis.status === 'ready' && held.length > 0) {
      const pipeline = this.#redis.pipeline();
      for (const [member, key] of held) pipeline.zrem(key, member);
      await pipeline.exec().catch(() => {});
    }
    this.#redis.disconnect();
  }

  async #renew(): Promise<void> {
    if (this.#held.size === 0 || this.#redis.status !== 'ready') return;
    const held = [...this.#held];
    await this.#redis
      .eval(
        RENEW,
        held.length,
        ...held.map(([, key]) => key),
        LEASE_TTL_MS,
        ...held.map(([member]) => member),
      )
      .catch((error: unknown) => this.#log.warn({ err: error }, 'renewing shared places failed'));
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new SharedStateUnavailableError(
        `the shared state store (REDIS_URL) does not answer, so limits cannot be checked; retry later (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
}
