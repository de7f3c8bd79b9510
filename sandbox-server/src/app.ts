/**
 * buildSandbox(options): the whole application, composed in one place — the
 * engine-bound parts (the container registry, the runners, the playground
 * sessions, the reaper) and the HTTP app around them — without listening.
 * The server, the integration tests, the benchmarks and the unit tests (with a
 * fake engine) all build it here; they differ only in the engine, the config
 * and which runners they enable.
 *
 * Layout of the HTTP app:
 *   /api/health/…  health (plugins: none; load balancers probe by address, results are cached)
 *   /api/…         the API scope: host allow-list → sign-in → Origin check → CORS → rate limit,
 *                  hooks that hang on the scope's routes (and its 404), not on URL matching
 *   /…             the static site
 * The previews of playgrounds' published ports are served by a listener of their own, never by this app
 * (previews/previews.ts); server.ts starts it beside the app.
 * Readiness starts the pools and the reaper; closing the app stops the runs in flight, closes every
 * runner and kills and removes every container the server still tracks. `drain` (SIGTERM) comes before
 * closing on a node behind a load balancer: cluster/drain.ts.
 * Every answer names the node that gave it (`x-dockyard-node`), the id its session ids begin with.
 */
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Drain } from './cluster/drain.ts';
import { defaultNodeId } from './cluster/session-id.ts';
import type { Config } from './config.ts';
import type { SharedCounters } from './counters/counters.ts';
import { createCounters } from './counters/create-counters.ts';
import { Containers } from './docker/containers.ts';
import type { Engine } from './docker/engine.ts';
import type { InstanceIdentity } from './docker/labels.ts';
import { Reaper } from './docker/reaper.ts';
import { loggerOptions } from './observability/logger.ts';
import { registerAuth } from './plugins/auth.ts';
import { trustProxyOption } from './plugins/client-identity.ts';
import { registerCors } from './plugins/cors.ts';
import { errorBody, registerErrorHandling } from './plugins/error-handling.ts';
import { registerHostAllowList } from './plugins/host-allow-list.ts';
import { registerMetrics } from './plugins/metrics.ts';
import { registerOriginCheck } from './plugins/origin-check.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerStaticSite } from './plugins/static-site.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerOpenApi, registerOpenApiRoute } from './routes/openapi.ts';
import { registerPortRoutes } from './routes/ports.ts';
import { registerRunRoute } from './routes/run.ts';
import { registerSessionRoutes } from './routes/sessions.ts';
import { registerTerminalRoutes } from './routes/terminals.ts';
import { createDockerPlaygrounds, type DockerPlaygrounds } from './runners/docker-playgrounds.ts';
import type { Runner, RunnerName } from './runners/runner.ts';
import { ShellRunner } from './runners/shell-runner.ts';
import { RunQueue } from './runs/run-queue.ts';
import { INPUT_MESSAGE_LIMIT_BYTES } from './terminals/terminal-protocol.ts';
import { TerminalTickets } from './terminals/terminal-tickets.ts';

/** How often expired playground sessions are looked for. */
const SESSION_SWEEP_INTERVAL_MS = 5_000;

export interface SandboxOptions {
  config: Config;
  engine: Engine;
  /** Whose containers these are (docker/labels.ts). */
  identity: InstanceIdentity;
  /** Which runners to build; a runner left out answers 503 "<name> runner not available". */
  runners: Readonly<Record<RunnerName, boolean>>;
  /** pino logger; default: pino at config.logLevel. */
  logger?: FastifyBaseLogger;
  /** Serve config.siteDir (default true). */
  serveSite?: boolean;
  /** The session store's clock; unit tests move it by hand. */
  sessionClock?: () => number;
  /** Where per-client limits are counted; default: REDIS_URL's store, else memory (counters/). */
  counters?: SharedCounters;
}

export interface Sandbox {
  app: FastifyInstance;
  containers: Containers;
  queue: RunQueue;
  reaper: Reaper;
  shell: ShellRunner | undefined;
  playgrounds: DockerPlaygrounds | undefined;
  /** NODE_ID, or the id derived from the instance id. */
  nodeId: string;
  drain: Drain;
}

export async function buildSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { config, engine } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(config.logLevel) }),
    bodyLimit: config.requestBodyLimitBytes,
    trustProxy: trustProxyOption(config),
    return503OnClosing: true,
    // Runs in flight are stopped and answered first (routes/run.ts); then no keep-alive client delays exit.
    forceCloseConnections: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Only JSON bodies are accepted; anything else (a form post among them) is 415.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('identity', null);
  const nodeId = config.nodeId === '' ? defaultNodeId(options.identity.id) : config.nodeId;
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-dockyard-node', nodeId);
  });
  const counters = options.counters ?? createCounters(config, app.log);

  const containers = new Containers(engine, options.identity);
  const shell = options.runners.shell
    ? new ShellRunner({ config, engine, containers, log: app.log.child({ runner: 'shell' }) })
    : undefined;
  const playgrounds = options.runners.docker
    ? createDockerPlaygrounds({
        config,
        engine,
        containers,
        log: app.log.child({ runner: 'docker' }),
        nodeId,
        counters,
        sweepIntervalMs: SESSION_SWEEP_INTERVAL_MS,
        ...(options.sessionClock === undefined ? {} : { now: options.sessionClock }),
      })
    : undefined;
  const runners: Partial<Record<RunnerName, Runner>> = {
    ...(shell ? { shell } : {}),
    ...(playgrounds ? { docker: playgrounds.runner } : {}),
  };
  const queue = new RunQueue({
    concurrency: config.runConcurrency,
    queueLimit: config.runQueueLimit,
    perClientConcurrency: config.runConcurrencyPerClient,
    perClientQueueLimit: config.runQueueLimitPerClient,
    expectedRunMs: config.runTimeoutMs / 10,
    counters,
  });
  const drain = new Drain({
    queue,
    sessions: playgrounds?.sessions,
    timeoutMs: config.drainTimeoutMs,
    log: app.log,
  });
  const tickets = new TerminalTickets();
  const reaper = new Reaper({ engine, containers, intervalMs: config.reapIntervalMs, log: app.log });

  const notFoundPage =
    (options.serveSite ?? true) ? await registerStaticSite(app, config.siteDir) : undefined;
  registerErrorHandling(app, { bodyLimitBytes: config.requestBodyLimitBytes, notFoundPage });
  await registerOpenApi(app);
  registerMetrics(app, {
    config,
    runners,
    sessions: playgrounds?.sessions,
    terminals: playgrounds?.terminals,
  });
  await app.register(websocket, {
    options: { maxPayload: INPUT_MESSAGE_LIMIT_BYTES, perMessageDeflate: false },
    // Terminals close with a code the page understands, before the runners remove their playgrounds.
    preClose: async function closeWebSockets(this: FastifyInstance) {
      playgrounds?.terminals.close();
      for (const client of this.websocketServer.clients) client.close(1001, 'the server is shutting down');
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });
  await app.register(
    async (health) =>
      registerHealthRoutes(health, {
        engine,
        queue,
        runners,
        showVersions: config.healthShowVersions,
        nodeId,
        counters,
        drain,
      }),
    { prefix: '/api/health' },
  );
  await app.register(
    async (api) => {
      registerHostAllowList(api, config);
      registerAuth(api, config, tickets);
      registerOriginCheck(api, config);
      registerCors(api, config);
      await registerRateLimit(api, config, counters);
      registerOpenApiRoute(api, app);
      registerRunRoute(api, { config, queue, runners });
      registerSessionRoutes(api, { sessions: playgrounds?.sessions });
      registerTerminalRoutes(api, {
        config,
        terminals: playgrounds?.terminals,
        sessions: playgrounds?.sessions,
        tickets,
      });
      registerPortRoutes(api, { previews: playgrounds?.previews });
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
      );
    },
    { prefix: '/api' },
  );

  app.addHook('onReady', async () => {
    await counters.start();
    shell?.start();
    playgrounds?.pool.start();
    playgrounds?.sessions.start();
    reaper.start();
  });
  app.addHook('onClose', async () => {
    reaper.stop();
    await playgrounds?.previews.close();
    await Promise.all(Object.values(runners).map((runner) => runner.close()));
    await containers.destroyAll();
    // Containers whose creation was cut off (engine unreachable mid-call) are not tracked: find them by label.
    await reaper.reapOnce().catch(() => {});
    await counters.close();
  });
  return { app, containers, queue, reaper, shell, playgrounds, nodeId, drain };
}
