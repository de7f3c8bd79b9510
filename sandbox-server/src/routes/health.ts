/**
 * GET /api/health: is the Docker engine reachable, and can each runner serve
 * runs (its pool state)? 200 when everything works; 503 with the reason when
 * the engine is unreachable or a runner reports a problem (e.g. its image is
 * missing), so the site can disable Run and a monitor can alert.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../docker/engine.ts';
import type { Runner, RunnerName } from '../runners/runner.ts';
import type { RunQueue } from '../runs/run-queue.ts';

const PoolHealthSchema = Type.Object({
  target: Type.Integer(),
  ready: Type.Integer(),
  starting: Type.Integer(),
  inUse: Type.Integer(),
  error: Type.Optional(Type.String({ description: 'why the pool cannot fill, if it cannot' })),
});

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  reason: Type.Optional(Type.String()),
  docker: Type.Object({
    reachable: Type.Boolean(),
    serverVersion: Type.Optional(Type.String()),
    runtimes: Type.Optional(Type.Array(Type.String())),
    error: Type.Optional(Type.String()),
  }),
  pools: Type.Record(Type.String(), PoolHealthSchema),
  runs: Type.Object({ running: Type.Integer(), waiting: Type.Integer() }),
});

export interface HealthRouteOptions {
  engine: Engine;
  queue: RunQueue;
  runners: Partial<Record<RunnerName, Runner>>;
}

export function registerHealthRoute(app: FastifyInstance, options: HealthRouteOptions): void {
  const { engine, queue, runners } = options;

  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Engine reachability and pool state',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const pools = Object.fromEntries(
        Object.entries(runners).map(([name, runner]) => [name, runner.health()]),
      );
      const runs = { running: queue.running, waiting: queue.waiting };
      let docker: { reachable: boolean; serverVersion?: string; runtimes?: string[]; error?: string };
      try {
        const info = await engine.info();
        docker = { reachable: true, serverVersion: info.serverVersion, runtimes: info.runtimes };
      } catch (error) {
        docker = { reachable: false, error: (error as Error).message };
      }
      const poolProblems = Object.entries(pools)
        .filter(([, pool]) => pool.error !== undefined)
        .map(([name, pool]) => `${name}: ${pool.error}`);
      const reason = !docker.reachable
        ? (docker.error ?? 'Docker engine unreachable')
        : poolProblems.join('; ');
      if (reason === '') return { status: 'ok' as const, docker, pools, runs };
      return reply.code(503).send({ status: 'unavailable' as const, reason, docker, pools, runs });
    },
  );
}
