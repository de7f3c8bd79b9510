/**
 * The server's Prometheus metrics (prom-client), on a registry of their own that GET /metrics
 * serves (plugins/metrics.ts). The instruments are module-level, like prom-client's own default
 * registry, so the places that measure (the run route, container creation, playground boot) need no
 * wiring. Gauges that report the state of an object (pools, sessions, terminals) read it when
 * scraped, from sources registered with the `observe…` functions below; each returns the function
 * that unregisters it. Several sources of one kind (several apps in one test process) are summed.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CgroupMode } from '../docker/cgroup-mode.ts';
import type { PoolHealth } from '../runners/runner.ts';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'dockyard_' });

/** How a run ended, as counted in dockyard_runs_total. */
export type RunOutcome =
  /** The snippet ran to its end and exited 0 / non-zero. */
  | 'exit_zero'
  | 'exit_nonzero'
  /** A limit stopped or hit it: wall time, output cap, memory (dockyard_run_limit_hits_total says which). */
  | 'limit'
  /** Refused before it ran: queue full (429), unknown session (404). */
  | 'rejected'
  /** The runner or the engine could not serve it (503), or the server failed. */
  | 'unavailable'
  /** The client went away or the server shut down while it ran. */
  | 'aborted';

export type RunLimit = 'timeout' | 'output' | 'memory';

export const runsTotal = new Counter({
  name: 'dockyard_runs_total',
  help: 'Runs answered, by runner and outcome',
  labelNames: ['runner', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const runDurationSeconds = new Histogram({
  name: 'dockyard_run_duration_seconds',
  help: 'Time from getting a run slot to the result, by runner',
  labelNames: ['runner'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const runQueueWaitSeconds = new Histogram({
  name: 'dockyard_run_queue_wait_seconds',
  help: 'Time a run waited for a run slot, by runner',
  labelNames: ['runner'] as const,
  buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const runLimitHitsTotal = new Counter({
  name: 'dockyard_run_limit_hits_total',
  help: 'Runs that hit a limit, by runner and limit (timeout, output, memory)',
  labelNames: ['runner', 'limit'] as const,
  registers: [metricsRegistry],
});

export const tooManyRequestsTotal = new Counter({
  name: 'dockyard_http_429_total',
  help: 'Requests answered 429 (rate limit, run queue full, session limits), by route',
  labelNames: ['route'] as const,
  registers: [metricsRegistry],
});

export const containerCreateSeconds = new Histogram({
  name: 'dockyard_container_create_seconds',
  help: 'Latency of the engine creating one container, by role (shell, playground)',
  labelNames: ['role'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  registers: [metricsRegistry],
});

export const playgroundBootSeconds = new Histogram({
  name: 'dockyard_playground_boot_seconds',
  help: 'Time from creating a playground to its inner Docker daemon answering',
  buckets: [0.5, 1, 1.5, 2, 3, 5, 10, 20, 30],
  registers: [metricsRegistry],
});

const engineCgroupVersion = new Gauge({
  name: 'dockyard_engine_cgroup_version',
  help: "The engine host's cgroup version (1 or 2) as the engine last reported it; absent until it does",
  registers: [metricsRegistry],
});

/** Records the cgroup mode from an answer of the engine; a mode it did not report leaves no sample. */
export function recordEngineCgroup(mode: CgroupMode): void {
  if (mode.version === null) engineCgroupVersion.reset();
  else engineCgroupVersion.set(mode.version);
}

/** Awaits `operation` and, when it succeeds, hands its duration in seconds to `observe`. */
export async function timed<T>(observe: (seconds: number) => void, operation: () => Promise<T>): Promise<T> {
  const startedMs = performance.now();
  const result = await operation();
  observe((performance.now() - startedMs) / 1000);
  return result;
}

type PoolsSource = () => Record<string, PoolHealth>;
type CountSource = () => number;

const poolSources = new Set<PoolsSource>();
const sessionSources = new Set<CountSource>();
const terminalSources = new Set<CountSource>();

function register<T>(sources: Set<T>, source: T): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

function sum(sources: Set<CountSource>): number {
  let total = 0;
  for (const source of sources) total += source();
  return total;
}

/** Pool state by pool name (the runners' health), read when scraped. */
export function observePools(source: PoolsSource): () => void {
  return register(poolSources, source);
}

/** Live playground sessions, read when scraped. */
export function observeActiveSessions(source: CountSource): () => void {
  return register(sessionSources, source);
}

/** Open terminals into playgrounds: a terminal feature registers how many it holds. */
export function observeActiveTerminals(source: CountSource): () => void {
  return register(terminalSources, source);
}

new Gauge({
  name: 'dockyard_pool_containers',
  help: 'Containers of each warm pool by state (ready, starting, in_use) and the target it keeps ready',
  labelNames: ['pool', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const source of poolSources) {
      for (const [pool, health] of Object.entries(source())) {
        this.inc({ pool, state: 'ready' }, health.ready);
        this.inc({ pool, state: 'starting' }, health.starting);
        this.inc({ pool, state: 'in_use' }, health.inUse);
        this.inc({ pool, state: 'target' }, health.target);
      }
    }
  },
});

new Gauge({
  name: 'dockyard_active_sessions',
  help: 'Live playground sessions',
  registers: [metricsRegistry],
  collect() {
    this.set(sum(sessionSources));
  },
});

new Gauge({
  name: 'dockyard_active_terminals',
  help: 'Open terminals into playgrounds',
  registers: [metricsRegistry],
  collect() {
    this.set(sum(terminalSources));
  },
});
