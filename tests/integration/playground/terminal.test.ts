/**
 * Terminals over a real WebSocket into real playgrounds: an interactive `busybox sh` inside, resize,
 * detach and attach, reconnection with replay, the session's end, Origin, flow control under a flood,
 * limits, idle and grace timeouts, and a real server process stopped with SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DRAIN_NOTICE } from '../../../sandbox-server/src/cluster/drain.ts';
import {
  OUTPUT_WINDOW_BYTES,
  TerminalCloseCode,
} from '../../../sandbox-server/src/terminals/terminal-protocol.ts';
import { startSandboxServer } from '../../../scripts/lib/doctest/server-process.ts';
import { type PlaygroundServer, startPlaygroundServer } from '../../../scripts/lib/playground-server.ts';
import { plainText, TerminalClient } from '../../../scripts/lib/terminal-client.ts';

/** The interactive bash's prompt (Debian's /etc/bash.bashrc): root@<host>:<dir># */
const PROMPT = /root@[\w-]+:[^\r\n]*# $/m;
const BUSYBOX_PROMPT = '/ # ';
/** A site hosted elsewhere, listed in CORS_ORIGINS. */
const ALLOWED_ORIGIN = 'http://docs.example.test';
const CTRL_C = '\x03';
const CTRL_P_CTRL_Q = '\x10\x11';

async function listen(server: PlaygroundServer): Promise<string> {
  return server.app.listen({ host: '127.0.0.1', port: 0 });
}

/** Types a command line and waits until `until` shows after it; returns the screen text in between. */
async function command(terminal: TerminalClient, line: string, until: RegExp | string = PROMPT) {
  const from = terminal.output.length;
  terminal.type(`${line}\r`);
  const end = await terminal.waitFor(until, 60_000, from);
  return plainText(terminal.output.slice(from, end));
}

describe('a terminal in a session', () => {
  let server: PlaygroundServer;
  let baseUrl: string;

  beforeAll(async () => {
    server = await startPlaygroundServer({
      TERMINAL_LIMIT_PER_SESSION: '2',
      TERMINAL_LIMIT_PER_CLIENT: '3',
      CORS_ORIGINS: ALLOWED_ORIGIN,
    });
    baseUrl = await listen(server);
  });
  afterAll(async () => {
    await server?.app.close();
  });

  /** Runs `test` in a session of its own, deleted afterwards whatever happens. */
  async function inSession(test: (session: string) => Promise<void>): Promise<void> {
    const session = await server.newSession();
    try {
      await test(session);
    } finally {
      await server.deleteSession(session);
    }
  }

  async function openTerminal(session: string, options = {}): Promise<TerminalClient> {
    const terminal = await TerminalClient.connect(baseUrl, session, { origin: baseUrl, ...options });
    expect(terminal.closeInfo).toBeUndefined();
    await terminal.waitFor(PROMPT, 60_000);
    return terminal;
  }

  it('runs an interactive busybox sh inside the playground and comes back to bash', async () => {
    await inSession(async (session) => {
      const terminal = await openTerminal(session);
      await command(terminal, 'docker run -it --rm busybox sh', BUSYBOX_PROMPT);
      expect(await command(terminal, 'echo inside-$((6*7))', BUSYBOX_PROMPT)).toContain('inside-42');
      await command(terminal, 'exit');
      expect(await command(terminal, 'docker ps -aq | wc -l')).toMatch(/\n0\n/);
      terminal.close();
    });
  }, 180_000);

  it('follows the size the page sends (stty size)', async () => {
    await inSession(async (session) => {
      const terminal = await openTerminal(session, { cols: 100, rows: 30 });
      expect(await command(terminal, 'stty size')).toContain('30 100');
      terminal.resize(132, 41);
      await expect
        .poll(async () => command(terminal, 'stty size'), { timeout: 30_000, interval: 500 })
        .toContain('41 132');
      terminal.close();
    });
  }, 180_000);

  it('detaches with Ctrl+P Ctrl+Q, attaches again, and exit stops the container', async () => {
    await inSession(async (session) => {
      const terminal = await openTerminal(session);
      await command(terminal, 'docker run -it --name box busybox sh', BUSYBOX_PROMPT);
      await command(terminal, 'echo inside', BUSYBOX_PROMPT);
      const from = terminal.output.length;
      terminal.type(CTRL_P_CTRL_Q);
      await terminal.waitFor(PROMPT, 60_000, from);
      expect(await command(terminal, "docker ps --format '{{.Names}} {{.Status}}'")).toMatch(/\bbox Up /);
      await command(terminal, 'docker attach box', /\r\n/);
      expect(await command(terminal, 'echo back-again', BUSYBOX_PROMPT)).toContain('back-again');
      await command(terminal, 'exit');
      expect(await command(terminal, "docker ps -a --filter name=box --format '{{.Status}}'")).toMatch(
        /Exited \(0\)/,
      );
      // A Run button's run sees the same playground.
      expect((await server.run('docker ps -a --format "{{.Names}}"', session)).stdout).toContain('box\n');
      terminal.close();
    });
  }, 180_000);

  it('sees containers a Run button started, and ends with code 4000 when the shell exits', async () => {
    await inSession(async (session) => {
      expect((await server.run('docker run -d --name from-run busybox sleep 300', session)).exitCode).toBe(0);
      const terminal = await openTerminal(session);
      expect(await command(terminal, "docker ps --format '{{.Names}}'")).toContain('from-run');
      terminal.type('exit\r');
      const closed = await terminal.closed;
      expect(closed.code).toBe(TerminalCloseCode.shellExited);
      expect(terminal.output).toContain('exit');
    });
  }, 180_000);

  it('reconnects to the same shell after a dropped connection and replays recent output', async () => {
    await inSession(async (session) => {
      const first = await openTerminal(session);
      await command(first, 'cd /tmp && echo marker-$((1000+234))');
      const id = first.ready?.terminal ?? '';
      first.drop();
      await first.closed;
      const second = await TerminalClient.connect(baseUrl, session, { origin: baseUrl, resume: id });
      expect(second.ready).toEqual({ type: 'ready', terminal: id, resumed: true });
      await second.waitFor('marker-1234');
      // The same shell: its working directory is still /tmp.
      expect(await command(second, 'pwd')).toContain('/tmp\n');
      // A third connection to it takes over; the second is told why.
      const third = await TerminalClient.connect(baseUrl, session, { origin: baseUrl, resume: id });
      expect((await second.closed).code).toBe(TerminalCloseCode.replaced);
      third.close();
    });
  }, 180_000);

  it('closes with 4004 for an expired or deleted session, also while the terminal is open', async () => {
    const session = await server.newSession();
    const node = session.slice(0, session.indexOf('.'));
    const unknown = await TerminalClient.connect(baseUrl, `${node}.${'x'.repeat(22)}`, { origin: baseUrl });
    expect((await unknown.closed).code).toBe(TerminalCloseCode.sessionEnded);
    const terminal = await openTerminal(session);
    await server.deleteSession(session);
    const closed = await terminal.closed;
    expect(closed).toEqual({ code: TerminalCloseCode.sessionEnded, reason: 'the playground session ended' });
    const late = await TerminalClient.connect(baseUrl, session, { origin: baseUrl });
    expect((await late.closed).code).toBe(TerminalCloseCode.sessionEnded);
  }, 180_000);

  it('refuses a foreign Origin before the upgrade, and allows the configured ones', async () => {
    await inSession(async (session) => {
      const status = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/sessions/${session}/terminal`, {
          origin: 'http://evil.invalid',
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => reject(new Error('a foreign origin got a terminal')));
        socket.on('error', () => {});
      });
      expect(status).toBe(403);
      // The server's own origin and the CORS_ORIGINS are let in.
      for (const origin of [baseUrl, ALLOWED_ORIGIN]) {
        const terminal = await openTerminal(session, { origin });
        terminal.close();
        await terminal.closed;
      }
    });
  }, 180_000);

  it('bounds a flood: no more than the window is sent unacknowledged; acknowledging lets it continue', async () => {
    await inSession(async (session) => {
      const terminal = await openTerminal(session, { withholdAcks: true });
      terminal.acknowledge();
      const before = terminal.receivedBytes;
      terminal.type('yes flood-line\r');
      await terminal.waitUntil(() => terminal.receivedBytes - before > OUTPUT_WINDOW_BYTES / 2, 30_000);
      await sleep(3_000);
      const stalled = terminal.receivedBytes - before;
      // The window is checked before each chunk read from the engine (at most 64 KiB) is sent.
      expect(stalled).toBeLessThanOrEqual(OUTPUT_WINDOW_BYTES + 64 * 1024);
      await sleep(2_000);
      expect(terminal.receivedBytes - before).toBe(stalled);
      terminal.acknowledge();
      await terminal.waitUntil(() => terminal.receivedBytes - before > stalled, 30_000);
      // Ctrl+C stops it; the shell answers again once the queued output is through.
      terminal.type(CTRL_C);
      const ackLoop = setInterval(() => terminal.acknowledge(), 20);
      try {
        const from = terminal.output.length;
        terminal.type('echo stopped-$((2+2))\r');
        await terminal.waitFor('stopped-4', 60_000, from);
      } finally {
        clearInterval(ackLoop);
      }
      terminal.close();
    });
  }, 180_000);

  it('limits terminals per session (4429) and refuses unknown control messages (4400)', async () => {
    await inSession(async (session) => {
      const a = await openTerminal(session);
      const b = await openTerminal(session);
      const c = await TerminalClient.connect(baseUrl, session, { origin: baseUrl });
      expect((await c.closed).code).toBe(TerminalCloseCode.tooMany);
      b.sendText('{"type":"resize","cols":100000,"rows":1}');
      expect((await b.closed).code).toBe(TerminalCloseCode.badMessage);
      a.close();
    });
  }, 180_000);
});

describe('terminal timeouts', () => {
  let server: PlaygroundServer;
  let baseUrl: string;

  beforeAll(async () => {
    server = await startPlaygroundServer({
      // The idle clock starts when the shell is started, before its first prompt: a busy machine may take
      // seconds to show that prompt, and the test can only type after it.
      TERMINAL_IDLE_TIMEOUT_MS: '15000',
      TERMINAL_GRACE_MS: '1000',
    });
    baseUrl = await listen(server);
  });
  afterAll(async () => {
    await server?.app.close();
  });

  it('closes a terminal nothing is typed into (4001) and ends its shell', async () => {
    const session = await server.newSession();
    const terminal = await TerminalClient.connect(baseUrl, session, { origin: baseUrl });
    await terminal.waitFor(PROMPT, 60_000);
    await command(terminal, 'sleep 600 &');
    expect((await terminal.closed).code).toBe(TerminalCloseCode.idle);
    // The shell and what it left running are gone (playground-stop on its process group).
    await expect
      .poll(async () => (await server.run('pgrep -c -x sleep || true', session)).stdout.trim(), {
        timeout: 30_000,
      })
      .toBe('0');
    await server.deleteSession(session);
  }, 180_000);

  it('ends a dropped terminal after the grace period (4010 on a late reconnect)', async () => {
    const session = await server.newSession();
    const terminal = await TerminalClient.connect(baseUrl, session, { origin: baseUrl });
    await terminal.waitFor(PROMPT, 60_000);
    const id = terminal.ready?.terminal ?? '';
    terminal.drop();
    await sleep(4_000);
    const late = await TerminalClient.connect(baseUrl, session, { origin: baseUrl, resume: id });
    expect((await late.closed).code).toBe(TerminalCloseCode.terminalGone);
    await server.deleteSession(session);
  }, 180_000);
});

describe('a real server process', () => {
  it('ends its sessions with a notice on SIGTERM, closing their terminals, and exits', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'dockyard-terminal-'));
    const server = await startSandboxServer(process.cwd(), logDir);
    try {
      const response = await fetch(`${server.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      const terminal = await TerminalClient.connect(server.url, id, { origin: server.url });
      await terminal.waitFor(PROMPT, 60_000);
      const stopping = server.stop();
      // SIGTERM drains: the session ends with a notice (4004) before the server closes.
      expect(await terminal.closed).toEqual({ code: TerminalCloseCode.sessionEnded, reason: DRAIN_NOTICE });
      await stopping;
    } finally {
      await server.stop();
      rmSync(logDir, { recursive: true, force: true });
    }
  }, 300_000);
});
