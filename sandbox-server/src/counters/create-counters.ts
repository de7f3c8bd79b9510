/** The counters a server's per-client limits use: shared through REDIS_URL when it is set, else in memory. */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { SharedCounters } from './counters.ts';
import { MemoryCounters } from './memory-counters.ts';
import { RedisCounters } from './redis-counters.ts';

export function createCounters(config: Config, log: FastifyBaseLogger): SharedCounters {
  return config.redisUrl === '' ? new MemoryCounters() : new RedisCounters(config.redisUrl, log);
}
