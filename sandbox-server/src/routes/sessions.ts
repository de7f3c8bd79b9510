/**
 * Playground sessions (the docker runner's state for one reader):
 *   POST   /api/sessions      → 201 { id, expiresAt }   a booted playground, ready at once from the pool
 *   DELETE /api/sessions/:id  → 204                     destroys it with everything inside (Reset)
 * Runs address a session by path, POST /api/sessions/:id/run (routes/run.ts), so a load balancer can send
 * everything of a session to its node (cluster/session-id.ts). Limits per server and per client answer
 * 429; an unknown or expired id answers 404 with a message telling the page to start a new session; an id
 * of another node answers 421; a malformed one 400.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { SESSION_ID_MAX_LENGTH, SESSION_ID_PATTERN } from '../cluster/session-id.ts';
import { NotFoundError, RunnerUnavailableError } from '../errors.ts';
import { SESSION_NOT_FOUND_MESSAGE, type SessionStore } from '../playground/session-store.ts';
import { clientKey } from '../plugins/client-identity.ts';
import { errorResponses } from '../schemas.ts';

const SessionSchema = Type.Object(
  {
    id: Type.String({
      pattern: SESSION_ID_PATTERN,
      description:
        'unguessable session id `<node>.<secret>`, for /api/sessions/{id}/run, /api/sessions/{id}/terminal and DELETE',
    }),
    expiresAt: Type.String({
      format: 'date-time',
      description:
        'when the session ends if it is not used again (each run extends it, up to its maximum lifetime)',
    }),
  },
  { additionalProperties: false },
);

export const SessionParamsSchema = Type.Object({
  id: Type.String({
    pattern: SESSION_ID_PATTERN,
    maxLength: SESSION_ID_MAX_LENGTH,
    description: 'a session id as POST /api/sessions returned it: `<node>.<secret>`',
  }),
});

export interface SessionRoutesOptions {
  /** Without a docker runner there are no sessions: the routes answer 503. */
  sessions: SessionStore | undefined;
}

export function registerSessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): void {
  app.post(
    '/sessions',
    {
      schema: {
        summary: 'Start a playground session (a Docker host of your own)',
        // A JSON body (`{}`): a cross-site form cannot send one, and a cross-site script needs a preflight.
        body: Type.Object({}, { additionalProperties: false }),
        response: { 201: SessionSchema, ...errorResponses(400, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { sessions } = options;
      if (sessions === undefined) throw new RunnerUnavailableError('docker runner not available');
      const clientGone = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) clientGone.abort(new Error('client disconnected'));
      });
      const created = await sessions.create(clientKey(request), clientGone.signal);
      if (clientGone.signal.aborted) {
        await sessions.destroy(created.id);
        return reply;
      }
      return reply.code(201).send({ id: created.id, expiresAt: new Date(created.expiresAtMs).toISOString() });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/sessions/:id',
    {
      schema: {
        summary: 'End a playground session and destroy its playground',
        params: SessionParamsSchema,
        response: { 204: Type.Null(), ...errorResponses(400, 404, 421) },
      },
    },
    async (request, reply) => {
      const { sessions } = options;
      sessions?.assertLocal(request.params.id);
      if (sessions === undefined || !(await sessions.destroy(request.params.id))) {
        throw new NotFoundError(SESSION_NOT_FOUND_MESSAGE);
      }
      return reply.code(204).send();
    },
  );
}
