/**
 * POST /api/run, and POST /api/sessions/:id/run for a run in a playground session (the path names the
 * session, so a load balancer routes it to the session's node without reading the body; /api/run with
 * `session` in the body still works on a single node): validates the snippet, admits it against the
 * client's share of the run queue (runs/run-queue.ts), hands it to the runner and answers the RunResult — as JSON, or with
 * `Accept: text/event-stream` as server-sent events while it runs:
 *   event: stdout | stderr   data: <JSON string: one chunk of text>
 *   event: exit              data: <RunResult JSON>
 *   event: error             data: <error JSON> (only if the run fails after streaming began)
 * Chunk data is JSON-encoded so carriage returns and newlines survive SSE
 * framing. Streaming begins with the first output; failures before that are
 * ordinary HTTP errors (429, 503...). A client that goes away aborts the run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { SESSION_ID_MAX_LENGTH, SESSION_ID_PATTERN } from '../cluster/session-id.ts';
import type { Config } from '../config.ts';
import type { StreamName } from '../docker/demux.ts';
import { HttpError, RunnerUnavailableError } from '../errors.ts';
import { RunObservation } from '../observability/run-observation.ts';
import { clientKey } from '../plugins/client-identity.ts';
import { errorBody, NO_NUL_PATTERN } from '../plugins/error-handling.ts';
import type { OutputSink, Runner, RunnerName } from '../runners/runner.ts';
import type { RunQueue } from '../runs/run-queue.ts';
import { RunResultSchema } from '../runs/run-result.ts';
import { errorResponses } from '../schemas.ts';
import { SessionParamsSchema } from './sessions.ts';

export const RunRequestSchema = Type.Object(
  {
    runner: Type.Union([Type.Literal('shell'), Type.Literal('docker')], {
      description: 'shell: one-shot sandbox; docker: the reader’s playground session',
    }),
    code: Type.String({ pattern: NO_NUL_PATTERN, description: 'the snippet, run by bash' }),
    session: Type.Optional(
      Type.String({
        maxLength: SESSION_ID_MAX_LENGTH,
        pattern: SESSION_ID_PATTERN,
        description:
          'playground session id (prefer POST /api/sessions/{id}/run, which a load balancer can route)',
      }),
    ),
  },
  { additionalProperties: false },
);

const SessionRunRequestSchema = Type.Object(
  {
    code: Type.String({
      pattern: NO_NUL_PATTERN,
      description: 'the snippet, run by bash as root in the playground',
    }),
  },
  { additionalProperties: false },
);

type RunInputs = { runnerName: RunnerName; code: string; session: string | undefined };

export interface RunRouteOptions {
  config: Config;
  queue: RunQueue;
  runners: Partial<Record<RunnerName, Runner>>;
}

/** How long shutdown waits for stopped runs to finish answering before connections are cut. */
const SHUTDOWN_DRAIN_MS = 5_000;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  connection: 'keep-alive',
  // Proxies such as nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

export function registerRunRoute(app: FastifyInstance, options: RunRouteOptions): void {
  const { config, queue, runners } = options;
  // On close, runs in flight are stopped (their containers killed) and answer 503; the server waits
  // for those answers, then cuts every connection instead of waiting out keep-alive clients.
  const shuttingDown = new AbortController();
  const shutdown = shuttingDown.signal;
  const answering = new Set<Promise<void>>();
  app.addHook('preClose', async () => {
    shuttingDown.abort(new Error('server is shutting down'));
    await Promise.race([Promise.allSettled(answering), sleep(SHUTDOWN_DRAIN_MS)]);
  });

  app.post<{ Body: Static<typeof RunRequestSchema> }>(
    '/run',
    {
      schema: {
        summary: 'Run a snippet in a sandbox',
        description:
          'Answers the result as JSON, or with `Accept: text/event-stream` streams `stdout`/`stderr` events ' +
          '(data: JSON string) and ends with an `exit` event (data: the result).',
        body: RunRequestSchema,
        response: { 200: RunResultSchema, ...errorResponses(400, 404, 413, 415, 421, 429, 503) },
      },
    },
    async (request, reply) => {
      const { runner, code, session } = request.body;
      return run(request, reply, { runnerName: runner, code, session });
    },
  );

  app.post<{ Body: Static<typeof SessionRunRequestSchema>; Params: Static<typeof SessionParamsSchema> }>(
    '/sessions/:id/run',
    {
      schema: {
        summary: 'Run a snippet in a playground session',
        description:
          'The docker runner in the session named by the path; answers like POST /api/run. 404: the session ' +
          'ended (start a new one); 421: the session belongs to another node.',
        params: SessionParamsSchema,
        body: SessionRunRequestSchema,
        response: { 200: RunResultSchema, ...errorResponses(400, 404, 413, 415, 421, 429, 503) },
      },
    },
    async (request, reply) =>
      run(request, reply, { runnerName: 'docker', code: request.body.code, session: request.params.id }),
  );

  async function run(request: FastifyRequest, reply: FastifyReply, inputs: RunInputs) {
    const { runnerName, code, session } = inputs;
    const codeBytes = Buffer.byteLength(code, 'utf8');
    if (codeBytes > config.runCodeLimitBytes) {
      throw new HttpError(400, `body/code is ${codeBytes} bytes; the limit is ${config.runCodeLimitBytes}`);
    }
    const runner = runners[runnerName satisfies RunnerName];
    if (runner === undefined) throw new RunnerUnavailableError(`${runnerName} runner not available`);

    if (shutdown.aborted) throw new RunnerUnavailableError('server is shutting down');
    const clientGone = new AbortController();
    const answered = new Promise<void>((resolve) =>
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) clientGone.abort(new Error('client disconnected'));
        resolve();
      }),
    );
    answering.add(answered);
    void answered.then(() => answering.delete(answered));

    const stopped = AbortSignal.any([clientGone.signal, shutdown]);

    const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
    const stream = wantsStream ? new EventStream(reply) : undefined;
    const sink: OutputSink = stream ? (name, text) => stream.output(name, text) : () => {};
    const client = clientKey(request);
    const input = session === undefined ? { code, client } : { code, client, session };

    const observation = new RunObservation(request.log, runnerName, client, session);
    const admission = await queue.admit(client);
    try {
      const result = await runner.run(input, sink, stopped, (task) =>
        admission.slot(() => {
          observation.started();
          return task();
        }, stopped),
      );
      observation.finished(result);
      if (!stream) return result;
      stream.end('exit', result);
    } catch (caught) {
      observation.failed(caught, stopped.aborted);
      // Logged by the observation (outcome `aborted`); nobody is left to answer.
      if (clientGone.signal.aborted) return reply;
      const error = shutdown.aborted ? new RunnerUnavailableError('server is shutting down') : caught;
      if (!stream?.started) throw error;
      request.log.warn({ err: error }, 'run failed while streaming');
      const status = error instanceof HttpError ? error.statusCode : 500;
      stream.end('error', errorBody(status, error instanceof HttpError ? error.message : 'internal error'));
    } finally {
      admission.release();
    }
    return reply;
  }
}

/** Server-sent events on a hijacked reply; headers go out with the first event. */
class EventStream {
  readonly #reply: FastifyReply;
  started = false;

  constructor(reply: FastifyReply) {
    this.#reply = reply;
  }

  output(stream: StreamName, text: string): void {
    this.#send(stream, text);
  }

  end(event: 'exit' | 'error', data: unknown): void {
    this.#send(event, data);
    this.#reply.raw.end();
  }

  #send(event: string, data: unknown): void {
    const raw = this.#reply.raw;
    if (!this.started) {
      this.started = true;
      this.#reply.hijack();
      // Headers set by hooks (CORS) still go out on the hijacked reply.
      for (const [name, value] of Object.entries(this.#reply.getHeaders())) {
        if (value !== undefined) raw.setHeader(name, value);
      }
      raw.writeHead(200, SSE_HEADERS);
    }
    if (!raw.destroyed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
