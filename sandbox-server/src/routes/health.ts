/**
 * Health, for the site, monitors, load balancers and orchestrators:
 *   GET /api/health/live   200 while the process serves requests (no Docker call)
 *   GET /api/health/ready  200 when the engine answers, no runner reports a problem, the shared store
 *                          (REDIS_URL) answers and the node is not draining; else 503 with the reason
 *                          (the site disables Run on it; a load balancer stops sending work here)
 *   GET /api/health        the same as ready (kept for pages built before the split)
 * The engine is asked at most once per ENGINE_PROBE_TTL_MS however often health is asked, and concurrent
 * askers share one probe; engine version, runtimes and the host's cgroup mode (which of the playground's
 * two cgroup paths runs, docker/cgroup-mode.ts) appear only with HEALTH_SHOW_VERSIONS=true.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Drain } from '../cluster/drain.ts';
import type { SharedCounters } from '../counters/counters.ts';
import type { CgroupMode } from '../docker/cgroup-mode.ts';
import type { Engine } from '../docker/engine.ts';
import { recordEngineCgroup } from '../observability/metrics.ts';
import type { Runner, RunnerName } from '../runners/runner.ts';
import type { RunQueue } from '../runs/run-queue.ts';

/** How long one engine probe answers for. */
export const ENGINE_PROBE_TTL_MS = 1_000;

const PoolHealthSchema = Type.Object({
  target: Type.Integer(),
  ready: Type.Integer(),
  starting: Type.Integer(),
  inUse: Type.Integer(),
  error: Type.Optional(Type.String({ description: 'why the pool cannot fill, if it cannot' })),
});

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable'), Type.Literal('draining')]),
  reason: Type.Optional(Type.String()),
  node: Type.String({ description: 'NODE_ID: the first part of the session ids this node hands out' }),
  sharedState: Type.Object({
    store: Type.Union([Type.Literal('memory'), Type.Literal('redis')]),
    reachable: Type.Boolean(),
    error: Type.Optional(Type.String()),
  }),
  docker: Type.Object({
    reachable: Type.Boolean(),
    serverVersion: Type.Optional(Type.String()),
    runtimes: Type.Optional(Type.Array(Type.String())),
    cgroup: Type.Optional(
      Type.Object({
        version: Type.Union([Type.Literal(1), Type.Literal(2), Type.Null()]),
        driver: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    error: Type.Optional(Type.String()),
  }),
  pools: Type.Record(Type.String(), PoolHealthSchema),
  runs: Type.Object({ running: Type.Integer(), waiting: Type.Integer() }),
});

const LiveSchema = Type.Object({ status: Type.Literal('ok') });

interface EngineState {
  reachable: boolean;
  serverVersion?: string;
  runtimes?: string[];
  cgroup?: CgroupMode;
  error?: string;
}

export interface HealthRouteOptions {
  engine: Engine;
  queue: RunQueue;
  runners: Partial<Record<RunnerName, Runner>>;
  showVersions: boolean;
  nodeId: string;
  counters: SharedCounters;
  drain: Drain;
}

/** Asks the engine at most once per ttl; callers within it (or during the probe) share the answer. */
export function cachedEngineProbe(
  engine: Engine,
  showVersions: boolean,
  now: () => number = () => performance.now(),
  ttlMs = ENGINE_PROBE_TTL_MS,
) {
  let last: { atMs: number; state: Promise<EngineState> } | undefined;
  return (): Promise<EngineState> => {
    const nowMs = now();
    if (last === undefined || nowMs - last.atMs >= ttlMs) {
      last = {
        atMs: nowMs,
        state: engine.info().then(
          (info) => {
            recordEngineCgroup(info.cgroup);
            return showVersions
              ? {
                  reachable: true,
                  serverVersion: info.serverVersion,
                  runtimes: info.runtimes,
                  cgroup: info.cgroup,
                }
              : { reachable: true };
          },
          (error: unknown) => ({ reachable: false, error: (error as Error).message }),
        ),
      };
    }
    return last.state;
  };
}

export function registerHealthRoutes(scope: FastifyInstance, options: HealthRouteOptions): void {
  const { queue, runners, nodeId, counters, drain } = options;
  const probe = cachedEngineProbe(options.engine, options.showVersions);

  scope.get(
    '/live',
    { schema: { summary: 'The process is serving requests', response: { 200: LiveSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  const ready = {
    schema: {
      summary: 'Engine reachability and pool state: 200 when runs can be served',
      response: { 200: HealthSchema, 503: HealthSchema },
    },
  };
  const readiness = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const pools = Object.fromEntries(
      Object.entries(runners).map(([name, runner]) => [name, runner.health()]),
    );
    const runs = { running: queue.running, waiting: queue.waiting };
    const docker = await probe();
    const sharedState = counters.health();
    const state = { node: nodeId, sharedState, docker, pools, runs };
    if (drain.draining) {
      return reply
        .code(503)
        .send({ status: 'draining' as const, reason: 'this node is shutting down', ...state });
    }
    const problems = Object.entries(pools)
      .filter(([, pool]) => pool.error !== undefined)
      .map(([name, pool]) => `${name}: ${pool.error}`);
    if (!sharedState.reachable) problems.unshift(sharedState.error ?? 'shared state store unreachable');
    const reason = !docker.reachable ? (docker.error ?? 'Docker engine unreachable') : problems.join('; ');
    if (reason === '') return { status: 'ok' as const, ...state };
    return reply.code(503).send({ status: 'unavailable' as const, reason, ...state });
  };
  scope.get('/ready', ready, readiness);
  scope.get('', ready, readiness);
}
