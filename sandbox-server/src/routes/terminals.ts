/**
 * GET /api/sessions/:id/terminal — a WebSocket to a shell in the session's playground (protocol:
 * terminals/terminal-protocol.ts). `?terminal=ID` reconnects to a terminal of this session that is still
 * within its grace period; `cols` and `rows` give the first size. A handshake from a foreign Origin is
 * refused with 403 before the upgrade; every other refusal (unknown or expired session, a limit, a
 * terminal that is gone) is a close code with a reason after it, because a page cannot read the HTTP
 * status of a failed WebSocket handshake. A plain GET answers 426. With AUTH_MODE=token the handshake
 * signs in with `?ticket=` from POST /api/sessions/:id/terminal-ticket (plugins/auth.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import { SESSION_ID_MAX_LENGTH, SESSION_ID_PATTERN } from '../cluster/session-id.ts';
import type { Config } from '../config.ts';
import {
  BadRequestError,
  BusyError,
  ForbiddenError,
  MisdirectedSessionError,
  NotFoundError,
  RunnerUnavailableError,
} from '../errors.ts';
import type { SessionStore } from '../playground/session-store.ts';
import { clientKey } from '../plugins/client-identity.ts';
import { errorBody } from '../plugins/error-handling.ts';
import { isAllowedOrigin } from '../plugins/origin-check.ts';
import { errorResponses } from '../schemas.ts';
import type { Terminal } from '../terminals/terminal.ts';
import { MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS, TerminalCloseCode } from '../terminals/terminal-protocol.ts';
import type { TerminalStore } from '../terminals/terminal-store.ts';
import type { TerminalTickets } from '../terminals/terminal-tickets.ts';

const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;
const ParamsSchema = Type.Object({
  id: Type.String({ pattern: SESSION_ID_PATTERN, maxLength: SESSION_ID_MAX_LENGTH }),
});
const QuerySchema = Type.Object(
  {
    terminal: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'a terminal to reconnect to' }),
    ),
    ticket: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'AUTH_MODE=token: a ticket from POST /api/sessions/:id/terminal-ticket',
      }),
    ),
    // Query values are strings (the TypeBox validator does not coerce): numbers are checked when parsed.
    cols: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: `${MIN_COLS}–${MAX_COLS}` })),
    rows: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: `${MIN_ROWS}–${MAX_ROWS}` })),
  },
  { additionalProperties: false },
);

interface TerminalRequest {
  Params: { id: string };
  Querystring: { terminal?: string; ticket?: string; cols?: string; rows?: string };
}

export interface TerminalRoutesOptions {
  config: Config;
  /** Without a docker runner there are no terminals: the route closes with 4503. */
  terminals: TerminalStore | undefined;
  sessions: SessionStore | undefined;
  tickets: TerminalTickets;
}

const TicketSchema = Type.Object(
  {
    ticket: Type.String({ description: 'for the WebSocket URL: ?ticket=…; opens one terminal, once' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export function registerTerminalRoutes(app: FastifyInstance, options: TerminalRoutesOptions): void {
  app.post<{ Params: { id: string } }>(
    '/sessions/:id/terminal-ticket',
    {
      schema: {
        summary: 'A single-use ticket that signs a terminal WebSocket in (AUTH_MODE=token)',
        params: ParamsSchema,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 201: TicketSchema, ...errorResponses(400, 401, 404, 415, 503) },
      },
    },
    async (request, reply) => {
      if (options.sessions === undefined) throw new RunnerUnavailableError('docker runner not available');
      options.sessions.get(request.params.id);
      const { ticket, expiresAtMs } = options.tickets.issue(request.params.id, request.identity);
      return reply.code(201).send({ ticket, expiresAt: new Date(expiresAtMs).toISOString() });
    },
  );

  app.route<TerminalRequest>({
    method: 'GET',
    url: '/sessions/:id/terminal',
    config: { acceptsTerminalTicket: true },
    schema: {
      summary: 'A terminal in the session’s playground (WebSocket; see terminal-protocol.ts)',
      params: ParamsSchema,
      querystring: QuerySchema,
      response: { 426: Type.Object({}), ...errorResponses(400, 403) },
    },
    preValidation: async (request) => {
      // Browsers send Origin on every WebSocket handshake and do not preflight it: without this check any
      // site the reader visits could open a shell in their playground. No page can omit Origin, so a
      // handshake without one (a script) passes, as the API's own requests do; sign-in still applies.
      const origin = request.headers.origin;
      if (origin !== undefined && !isAllowedOrigin(options.config, origin, request.headers.host)) {
        throw new ForbiddenError(`origin ${request.headers.origin} may not open terminals here`);
      }
    },
    preHandler: async (request) => {
      const { cols, rows } = request.query;
      if (cols !== undefined && !inRange(Number(cols), MIN_COLS, MAX_COLS)) {
        throw new BadRequestError(`querystring/cols must be between ${MIN_COLS} and ${MAX_COLS}`);
      }
      if (rows !== undefined && !inRange(Number(rows), MIN_ROWS, MAX_ROWS)) {
        throw new BadRequestError(`querystring/rows must be between ${MIN_ROWS} and ${MAX_ROWS}`);
      }
    },
    handler: async (_request, reply) =>
      reply.code(426).header('upgrade', 'websocket').send(errorBody(426, 'this route takes a WebSocket')),
    wsHandler: (socket, request) => {
      // Keystrokes that arrive while the shell starts wait in the socket until the terminal takes them.
      socket.pause();
      const { id: sessionId } = request.params;
      const { terminal: resumeId } = request.query;
      const cols = Number(request.query.cols ?? DEFAULT_COLS);
      const rows = Number(request.query.rows ?? DEFAULT_ROWS);
      const store = options.terminals;
      if (store === undefined) {
        refuse(socket, TerminalCloseCode.unavailable, 'terminals are not available on this server');
        return;
      }
      if (resumeId !== undefined) {
        const terminal = store.find(sessionId, resumeId);
        if (terminal === undefined) {
          refuse(socket, TerminalCloseCode.terminalGone, 'this terminal has ended; open a new one');
          return;
        }
        connect(socket, terminal, true);
        return;
      }
      store.open(sessionId, clientKey(request), { cols, rows }).then(
        (terminal) => {
          // A page that left while the shell started never learnt the terminal's id: nobody can come back.
          if (socket.readyState !== socket.OPEN) {
            terminal.end({ code: TerminalCloseCode.terminalGone, reason: 'the page left' });
          } else connect(socket, terminal, false);
        },
        (error: unknown) => {
          const [code, reason] = closeFor(error);
          if (code === TerminalCloseCode.unavailable) request.log.warn({ err: error }, 'terminal failed');
          refuse(socket, code, reason);
        },
      );
    },
  });
}

function connect(socket: WebSocket, terminal: Terminal, resumed: boolean): void {
  terminal.attach(socket, resumed);
  socket.resume();
}

/** Closes a connection no terminal took; it reads again first, or the close handshake could not finish. */
function refuse(socket: WebSocket, code: number, reason: string): void {
  socket.resume();
  socket.close(code, reason);
}

function closeFor(error: unknown): [number, string] {
  if (error instanceof NotFoundError) {
    return [TerminalCloseCode.sessionEnded, 'session not found: it expired or was reset'];
  }
  // For the reader it is the same: that session is gone (its node died, or the routing is wrong).
  if (error instanceof MisdirectedSessionError) {
    return [TerminalCloseCode.sessionEnded, 'session held by another node: start a new session'];
  }
  if (error instanceof BusyError) return [TerminalCloseCode.tooMany, truncateReason(error.message)];
  return [TerminalCloseCode.unavailable, 'the playground could not start a shell'];
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** A close reason may hold at most 123 bytes. */
function truncateReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${reason.slice(0, 119)}...`;
}
