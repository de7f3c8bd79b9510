/**
 * Terminal tickets (AUTH_MODE=token): the store's rules with a clock moved by hand, and the route over a
 * real loopback WebSocket with the real session and terminal stores over a FakeEngine — a ticket signs
 * one handshake of its own session in, once; a used, foreign or missing ticket is refused with 401.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildSandbox } from '../../../sandbox-server/src/app.ts';
import { newSessionId, sessionNode } from '../../../sandbox-server/src/cluster/session-id.ts';
import { loadConfig } from '../../../sandbox-server/src/config.ts';
import { newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import {
  TERMINAL_TICKET_TTL_MS,
  TerminalTickets,
} from '../../../sandbox-server/src/terminals/terminal-tickets.ts';
import { FakeEngine } from './fakes/fake-engine.ts';
import { TEST_ENV } from './fakes/test-app.ts';

const TOKEN = 'reader-token-0123456789';
const BEARER = { authorization: `Bearer ${TOKEN}` };

describe('TerminalTickets', () => {
  it('redeems a ticket once, for its own session, before it expires', () => {
    let now = 1_000;
    const tickets = new TerminalTickets(() => now);
    const { ticket, expiresAtMs } = tickets.issue('session-a', 'alice');
    expect(expiresAtMs).toBe(1_000 + TERMINAL_TICKET_TTL_MS);
    expect(tickets.redeem(ticket, 'session-a')).toEqual({ identity: 'alice' });
    expect(tickets.redeem(ticket, 'session-a')).toBeNull();

    const foreign = tickets.issue('session-a', 'alice').ticket;
    expect(tickets.redeem(foreign, 'session-b')).toBeNull();
    // Tried against the wrong session, it is spent.
    expect(tickets.redeem(foreign, 'session-a')).toBeNull();

    const late = tickets.issue('session-a', 'alice').ticket;
    now += TERMINAL_TICKET_TTL_MS;
    expect(tickets.redeem(late, 'session-a')).toBeNull();
    expect(tickets.redeem('made-up', 'session-a')).toBeNull();
  });
});

let app: FastifyInstance | undefined;
let baseUrl: string;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(): Promise<FastifyInstance> {
  const config = loadConfig({
    ...TEST_ENV,
    PLAYGROUND_POOL_SIZE: '1',
    AUTH_MODE: 'token',
    AUTH_TOKENS: `alice:${TOKEN}`,
  });
  const engine = new FakeEngine();
  engine.program = async () => 0;
  ({ app } = await buildSandbox({
    config,
    engine,
    identity: newInstanceIdentity(),
    runners: { shell: false, docker: true },
    serveSite: false,
  }));
  baseUrl = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  return app;
}

async function newSession(server: FastifyInstance): Promise<string> {
  const response = await server.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: BEARER,
    payload: {},
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

async function ticketFor(server: FastifyInstance, session: string): Promise<string> {
  const response = await server.inject({
    method: 'POST',
    url: `/api/sessions/${session}/terminal-ticket`,
    headers: BEARER,
    payload: {},
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { ticket: string }).ticket;
}

/** The handshake's outcome: the first text message of an opened terminal, or the refusal's status. */
function handshake(path: string): Promise<{ ready: string } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl}${path}`);
    socket.once('message', (data: Buffer) => {
      resolve({ ready: data.toString('utf8') });
      socket.close();
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('terminal tickets with AUTH_MODE=token', { timeout: 30_000 }, () => {
  it('issues tickets only to a signed-in reader, for a live session', async () => {
    const server = await setup();
    const session = await newSession(server);
    const url = `/api/sessions/${session}/terminal-ticket`;
    expect((await server.inject({ method: 'POST', url, payload: {} })).statusCode).toBe(401);
    const unknown = await server.inject({
      method: 'POST',
      url: `/api/sessions/${newSessionId(sessionNode(session) ?? '')}/terminal-ticket`,
      headers: BEARER,
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
    const issued = await server.inject({ method: 'POST', url, headers: BEARER, payload: {} });
    expect(issued.statusCode).toBe(201);
    expect(issued.json()).toEqual({ ticket: expect.any(String), expiresAt: expect.any(String) });
  });

  it('opens a terminal with a ticket once; a reused, foreign or missing ticket gets 401', async () => {
    const server = await setup();
    const session = await newSession(server);
    const other = await newSession(server);
    const terminal = `/api/sessions/${session}/terminal`;

    expect(await handshake(terminal)).toEqual({ status: 401 });
    const ticket = await ticketFor(server, session);
    const opened = await handshake(`${terminal}?ticket=${ticket}`);
    expect(JSON.parse((opened as { ready: string }).ready)).toMatchObject({ type: 'ready' });
    expect(await handshake(`${terminal}?ticket=${ticket}`)).toEqual({ status: 401 });

    const foreign = await ticketFor(server, other);
    expect(await handshake(`${terminal}?ticket=${foreign}`)).toEqual({ status: 401 });
    expect(await handshake(`/api/sessions/${other}/terminal?ticket=${foreign}`)).toEqual({ status: 401 });
  });
});
