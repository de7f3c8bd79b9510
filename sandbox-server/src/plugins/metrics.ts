/**
 * GET /metrics in Prometheus' text format (observability/metrics.ts). Served on the main port, or
 * with METRICS_PORT on a listener of its own (e.g. bound to a private address for the scraper)
 * and then not on the main port at all. With METRICS_TOKEN, a scrape must send
 * `Authorization: Bearer <token>` (401 otherwise). Also counts every 429 the app answers, and lets
 * the pool and session gauges read this app's runners and sessions.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import {
  metricsRegistry,
  observeActiveSessions,
  observeActiveTerminals,
  observePools,
  tooManyRequestsTotal,
} from '../observability/metrics.ts';
import type { SessionStore } from '../playground/session-store.ts';
import type { Runner, RunnerName } from '../runners/runner.ts';
import type { TerminalStore } from '../terminals/terminal-store.ts';
import { errorBody } from './error-handling.ts';

export interface MetricsOptions {
  config: Config;
  runners: Partial<Record<RunnerName, Runner>>;
  /** Without a docker runner there are no sessions and no terminals (both gauges read 0). */
  sessions: SessionStore | undefined;
  terminals: TerminalStore | undefined;
}

export const METRICS_PATH = '/metrics';

export function registerMetrics(app: FastifyInstance, options: MetricsOptions): void {
  const { config, runners } = options;
  const unobserve = [
    observePools(() =>
      Object.fromEntries(Object.entries(runners).map(([name, runner]) => [name, runner.health()])),
    ),
    observeActiveSessions(() => options.sessions?.size ?? 0),
    observeActiveTerminals(() => options.terminals?.size ?? 0),
  ];
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 429)
      tooManyRequestsTotal.inc({ route: request.routeOptions.url ?? 'unmatched' });
  });

  const authorized = tokenCheck(config.metricsToken);
  if (config.metricsPort === 0) {
    app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
      if (!authorized(request.headers.authorization)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send(errorBody(401, 'metrics token required'));
      }
      return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
    });
  } else {
    let server: Server | undefined;
    app.addHook('onReady', async () => {
      server = createServer((request, response) => {
        const path = (request.url ?? '').split('?')[0];
        const status = path !== METRICS_PATH ? 404 : authorized(request.headers.authorization) ? 200 : 401;
        if (status !== 200) {
          response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
          response.end(
            JSON.stringify(errorBody(status, status === 404 ? 'not found' : 'metrics token required')),
          );
          return;
        }
        metricsRegistry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
          () => response.writeHead(500).end(),
        );
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.metricsPort, config.metricsHost, () => resolve());
      });
      app.log.info(`metrics on http://${config.metricsHost}:${config.metricsPort}${METRICS_PATH}`);
    });
    app.addHook('onClose', async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });
  }
  app.addHook('onClose', async () => {
    for (const stop of unobserve) stop();
  });
}

/** Constant-time comparison of the bearer token (hashes first, so lengths do not leak either). */
function tokenCheck(token: string): (authorization: string | undefined) => boolean {
  if (token === '') return () => true;
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return (authorization) =>
    timingSafeEqual(
      createHash('sha256')
        .update(authorization ?? '')
        .digest(),
      expected,
    );
}
