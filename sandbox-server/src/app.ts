/**
 * buildApp(deps): the whole HTTP application, without listening. Everything
 * that touches Docker comes in through `deps`, so unit tests build the app
 * with a fake engine and fake runners and drive it with `app.inject`.
 * Closing the app stops the reaper, closes every runner and kills and
 * removes every container the server still tracks.
 */
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Containers } from './docker/containers.ts';
import type { Engine } from './docker/engine.ts';
import { Reaper } from './docker/reaper.ts';
import type { SessionStore } from './playground/session-store.ts';
import { registerCors } from './plugins/cors.ts';
import { registerErrorHandling } from './plugins/error-handling.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerStaticSite } from './plugins/static-site.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerOpenApi } from './routes/openapi.ts';
import { registerRunRoute } from './routes/run.ts';
import { registerSessionRoutes } from './routes/sessions.ts';
import { registerTerminalRoutes } from './routes/terminals.ts';
import type { Runner, RunnerName } from './runners/runner.ts';
import { RunQueue } from './runs/run-queue.ts';
import { INPUT_MESSAGE_LIMIT_BYTES } from './terminals/terminal-protocol.ts';
import type { TerminalStore } from './terminals/terminal-store.ts';

export interface AppDeps {
  config: Config;
  engine: Engine;
  /** Registry of the containers this server owns (created through it, reaped by it). */
  containers: Containers;
  /** Runners by name; a runner missing here answers 503 "<name> runner not available". */
  runners: Partial<Record<RunnerName, Runner>>;
  /** pino logger; default: pino at config.logLevel. Tests pass `false`-like silence via logLevel 'silent'. */
  logger?: FastifyBaseLogger;
  /** Playground sessions of the docker runner; without them the session routes answer 503. */
  sessions?: SessionStore;
  /** Terminals in those sessions' playgrounds; without them the terminal route closes with 4503. */
  terminals?: TerminalStore;
  /** Serve config.siteDir (default true). */
  serveSite?: boolean;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, engine, containers, runners } = deps;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: { level: config.logLevel } }),
    bodyLimit: config.requestBodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    // Runs in flight are stopped and answered first (routes/run.ts); then no keep-alive client delays exit.
    forceCloseConnections: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Only JSON bodies are accepted; anything else is 415.
  app.removeContentTypeParser('text/plain');

  const queue = new RunQueue({
    concurrency: config.runConcurrency,
    queueLimit: config.runQueueLimit,
    expectedRunMs: config.runTimeoutMs / 10,
  });
  const reaper = new Reaper({ engine, containers, intervalMs: config.reapIntervalMs, log: app.log });

  const notFoundPage = (deps.serveSite ?? true) ? await registerStaticSite(app, config.siteDir) : undefined;
  registerErrorHandling(app, { bodyLimitBytes: config.requestBodyLimitBytes, notFoundPage });
  registerCors(app, config);
  await registerRateLimit(app, config);
  await registerOpenApi(app);
  await app.register(websocket, {
    options: { maxPayload: INPUT_MESSAGE_LIMIT_BYTES, perMessageDeflate: false },
    // Terminals close with a code the page understands, before the runners remove their playgrounds.
    preClose: async function closeWebSockets(this: FastifyInstance) {
      deps.terminals?.close();
      for (const client of this.websocketServer.clients) client.close(1001, 'the server is shutting down');
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });
  registerRunRoute(app, { config, queue, runners });
  registerSessionRoutes(app, { sessions: () => deps.sessions });
  registerTerminalRoutes(app, { config, terminals: () => deps.terminals });
  registerHealthRoute(app, { engine, queue, runners });

  app.addHook('onReady', async () => reaper.start());
  app.addHook('onClose', async () => {
    reaper.stop();
    await Promise.all(Object.values(runners).map((runner) => runner.close()));
    await containers.destroyAll();
    // Containers whose creation was cut off (engine unreachable mid-call) are not tracked: find them by label.
    await reaper.reapOnce().catch(() => {});
  });
  return app;
}
