/**
 * The terminal route over a real loopback WebSocket (app.injectWS has no client address for the rate
 * limit) with the real session store and terminal store over a
 * FakeEngine, whose terminal echoes what is typed: admission (426, 403, 400, 4004), the protocol
 * (ready, keystrokes, resize, bad messages) and output flow control.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildSandbox } from '../../../sandbox-server/src/app.ts';
import { loadConfig } from '../../../sandbox-server/src/config.ts';
import { newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import {
  INPUT_BUFFER_LIMIT_BYTES,
  INPUT_MESSAGE_LIMIT_BYTES,
  OUTPUT_WINDOW_BYTES,
  TerminalCloseCode,
} from '../../../sandbox-server/src/terminals/terminal-protocol.ts';
import { FakeEngine } from './fakes/fake-engine.ts';
import { TEST_ENV } from './fakes/test-app.ts';

let app: FastifyInstance | undefined;
let engine: FakeEngine;
let baseUrl: string;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(): Promise<FastifyInstance> {
  const config = loadConfig({ ...TEST_ENV, PLAYGROUND_POOL_SIZE: '1' });
  engine = new FakeEngine();
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
  const response = await server.inject({ method: 'POST', url: '/api/sessions', payload: {} });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

/** Opens a WebSocket and watches it from the start (the first message can come with the handshake). */
async function connect(path: string) {
  const socket = new WebSocket(`${baseUrl}${path}`);
  const seen = watch(socket);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, seen };
}

/** Collects what a socket receives, and its close. */
function watch(socket: WebSocket) {
  const seen = { text: [] as string[], bytes: 0, echoed: '', closed: undefined as number | undefined };
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      seen.bytes += data.length;
      seen.echoed += data.toString('utf8');
    } else seen.text.push(data.toString('utf8'));
  });
  socket.on('close', (code: number) => {
    seen.closed = code;
  });
  return seen;
}

const until = async (condition: () => boolean) => {
  await expect.poll(condition, { timeout: 20_000, interval: 10 }).toBe(true);
};

// Generous: the fake playground boots in the same process, on a machine that may be busy.
describe('GET /api/sessions/:id/terminal', { timeout: 30_000 }, () => {
  it('answers a plain GET with 426, a foreign Origin with 403 and a bad size with 400', async () => {
    const server = await setup();
    const session = await newSession(server);
    const url = `/api/sessions/${session}/terminal`;
    expect((await server.inject({ url })).statusCode).toBe(426);
    const foreign = await server.inject({ url, headers: { origin: 'http://evil.invalid' } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({
      message: 'origin http://evil.invalid may not open terminals here',
    });
    expect((await server.inject({ url: `${url}?cols=9999` })).statusCode).toBe(400);
    expect((await server.inject({ url: `${url}?rows=0` })).statusCode).toBe(400);
  });

  it('opens a terminal: ready first, keystrokes reach it, resizes are applied, unknown messages close it', async () => {
    const server = await setup();
    const session = await newSession(server);
    const { socket, seen } = await connect(`/api/sessions/${session}/terminal?cols=100&rows=30`);
    await until(() => seen.text.length === 1);
    expect(JSON.parse(seen.text[0] ?? '')).toMatchObject({ type: 'ready', resumed: false });
    socket.send(Buffer.from('echo hi\r'), { binary: true });
    await until(() => seen.echoed === 'echo hi\r');
    socket.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    await until(() => engine.terminalSizes.length === 2);
    expect(engine.terminalSizes).toEqual([
      { cols: 100, rows: 30 },
      { cols: 120, rows: 40 },
    ]);
    socket.send('{"type":"exec","cmd":"id"}');
    await until(() => seen.closed === TerminalCloseCode.badMessage);
  });

  it('closes with 4004 for an unknown session and 4010 for a terminal that is gone', async () => {
    const server = await setup();
    const session = await newSession(server);
    const node = session.slice(0, session.indexOf('.'));
    const { seen: unknown } = await connect(`/api/sessions/${node}.${'x'.repeat(22)}/terminal`);
    await until(() => unknown.closed === TerminalCloseCode.sessionEnded);
    // A session of another node (the load balancer sent it here because its node is gone): ended, for the page.
    const { seen: elsewhere } = await connect(`/api/sessions/other-node.${'x'.repeat(22)}/terminal`);
    await until(() => elsewhere.closed === TerminalCloseCode.sessionEnded);
    const { seen: gone } = await connect(`/api/sessions/${session}/terminal?terminal=nope`);
    await until(() => gone.closed === TerminalCloseCode.terminalGone);
  });

  it('sends no more unacknowledged output than the window (plus one chunk), and more once acknowledged', async () => {
    const server = await setup();
    const session = await newSession(server);
    const { socket, seen } = await connect(`/api/sessions/${session}/terminal`);
    await until(() => seen.text.length === 1);
    const frame = Buffer.alloc(INPUT_MESSAGE_LIMIT_BYTES, 'y');
    const frames = Math.ceil((OUTPUT_WINDOW_BYTES * 2) / frame.length);
    for (let i = 0; i < frames; i++) socket.send(frame, { binary: true });
    await until(() => seen.bytes >= OUTPUT_WINDOW_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.bytes).toBeLessThanOrEqual(OUTPUT_WINDOW_BYTES + INPUT_MESSAGE_LIMIT_BYTES);
    socket.send(JSON.stringify({ type: 'ack', bytes: seen.bytes }));
    await until(() => seen.bytes === frames * frame.length);
  });

  it('closes with 4413 when keystrokes pile up beyond the input buffer', async () => {
    const server = await setup();
    const session = await newSession(server);
    const { socket, seen } = await connect(`/api/sessions/${session}/terminal`);
    await until(() => seen.text.length === 1);
    const frame = Buffer.alloc(INPUT_MESSAGE_LIMIT_BYTES, 'y');
    // Output is never acknowledged: it stops at the window, and the echo terminal stops taking input.
    for (let sent = 0; sent < OUTPUT_WINDOW_BYTES + INPUT_BUFFER_LIMIT_BYTES * 2; sent += frame.length) {
      socket.send(frame, { binary: true });
    }
    await until(() => seen.closed === TerminalCloseCode.inputOverflow);
  });
});
