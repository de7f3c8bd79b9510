/**
 * The defaults that depend on the machine: how many playground sessions, warm containers and runs at once
 * a node takes, from the cores and memory of the host the containers run on. A variable set in the
 * environment wins over its derived default (config.ts).
 *
 * The host is the engine's (`docker info` NCPU and MemTotal, read at start-up by server.ts): every
 * container runs there, and with DOCKER_SOCKET_PATH pointing at an engine on another host (a socket
 * forwarded from it, an engine in a pod beside the server) the server's own host says nothing about it.
 * Without an engine at start-up the server's host stands in. Neither sees a cgroup limit set around the
 * engine (an engine in a container reports its host's totals): set the variables where that matters
 * (deploy/kubernetes does).
 *
 * The numbers below come from `npm run bench:capacity` (figures in the root README, "Capacity").
 */
import { availableParallelism, totalmem } from 'node:os';
import type { EngineInfo } from './docker/engine.ts';

export interface HostCapacity {
  readonly cores: number;
  readonly memoryMib: number;
}

export interface CapacityDefaults {
  readonly SESSION_LIMIT: number;
  readonly PLAYGROUND_POOL_SIZE: number;
  readonly SHELL_POOL_SIZE: number;
  readonly RUN_CONCURRENCY: number;
  readonly RUN_QUEUE_LIMIT: number;
}

/** Kept free of playgrounds: the OS and page cache, the engine, the server (~0.2 GiB), the shell runs. */
export const RESERVED_MEMORY_MIB = 2_048;
/**
 * The memory limit of one playground, everything inside it included (PLAYGROUND_MEMORY_LIMIT_MIB's default).
 * Each session is budgeted its whole limit: no overcommit. An idle playground measured only ~34 MiB in
 * `docker stats`, but a stranger's snippet can fill its limit on purpose, and on a host whose playgrounds
 * together exceed its memory the kernel's OOM killer picks from everything — the engine and the server
 * included. An operator who trusts the readers (a team's own knowledge base) may set SESSION_LIMIT higher,
 * or lower PLAYGROUND_MEMORY_LIMIT_MIB, which the rule follows.
 */
export const DEFAULT_PLAYGROUND_MEMORY_MIB = 1_536;
/**
 * Sessions per core. An idle inner daemon costs little CPU: with 45 idle playgrounds on 2 cores (a shared
 * machine) the host's CPU stayed at 6–26 % in quiet windows and a busy session's first output at p95 ≤ 1.1 s,
 * far from the 2 s bound; 20 per core stays inside what was measured. Active sessions, not idle ones, are
 * what the cores must carry.
 */
export const SESSIONS_PER_CORE = 20;
/**
 * Runs executing per core. On 2 cores, 16 clients got 9.9 runs/s against 10.9 for 4 while the p95 went from
 * 0.5 to 1.9 s (an earlier run: 10.2 against 9.1): more than 2 per core only makes each run slower.
 */
export const RUNS_PER_CORE = 2;
/** Runs waiting per core before 429. */
export const QUEUED_RUNS_PER_CORE = 4;
/** A playground boot keeps about one core busy for ~1.5 s: one warm playground per two cores. */
export const CORES_PER_WARM_PLAYGROUND = 2;
/** Warm shell containers: two per core up to four, enough for a burst at the default concurrency. */
export const SHELL_POOL_PER_CORE = 2;
export const SHELL_POOL_MAX = 4;

export function capacityDefaults(
  { cores, memoryMib }: HostCapacity,
  playgroundMemoryMib = DEFAULT_PLAYGROUND_MEMORY_MIB,
): CapacityDefaults {
  const usableCores = Math.max(1, Math.floor(cores));
  const byMemory = Math.floor((memoryMib - RESERVED_MEMORY_MIB) / Math.max(1, playgroundMemoryMib));
  const byCores = usableCores * SESSIONS_PER_CORE;
  const sessionLimit = Math.min(1_000, Math.max(1, Math.min(byMemory, byCores)));
  return {
    SESSION_LIMIT: sessionLimit,
    PLAYGROUND_POOL_SIZE: Math.min(
      sessionLimit,
      32,
      Math.max(1, Math.floor(usableCores / CORES_PER_WARM_PLAYGROUND)),
    ),
    SHELL_POOL_SIZE: Math.min(SHELL_POOL_MAX, SHELL_POOL_PER_CORE * usableCores),
    RUN_CONCURRENCY: Math.min(256, RUNS_PER_CORE * usableCores),
    RUN_QUEUE_LIMIT: Math.min(10_000, QUEUED_RUNS_PER_CORE * usableCores),
  };
}

/** The host this process runs on. */
export function localCapacity(): HostCapacity {
  return { cores: availableParallelism(), memoryMib: Math.floor(totalmem() / 1024 ** 2) };
}

/** The engine's host, as `docker info` reports it; this process's host where it reports nothing. */
export function engineCapacity(info: Pick<EngineInfo, 'cpus' | 'memoryBytes'>): HostCapacity {
  const local = localCapacity();
  return {
    cores: info.cpus > 0 ? info.cpus : local.cores,
    memoryMib: info.memoryBytes > 0 ? Math.floor(info.memoryBytes / 1024 ** 2) : local.memoryMib,
  };
}
