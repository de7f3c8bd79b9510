/**
 * The open terminals: each a shell in a session's playground, opened as the reader's runs are (as root of
 * the playground's user namespace, in a process cgroup of its own under runs/ through playground-run, so
 * the same limits apply and `playground-stop` ends everything it started). Terminals are limited per
 * session and per client; a terminal ends with its session, at the idle timeout, when its shell exits,
 * when nobody reconnects within the grace period, and at shutdown.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { shortSessionId } from '../cluster/session-id.ts';
import type { Config } from '../config.ts';
import type { Engine, TerminalSize } from '../docker/engine.ts';
import { BusyError, NotFoundError } from '../errors.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC } from '../playground/playground-container.ts';
import { SESSION_NOT_FOUND_MESSAGE, type SessionStore } from '../playground/session-store.ts';
import { Terminal } from './terminal.ts';
import { TerminalCloseCode } from './terminal-protocol.ts';

/** An interactive bash; Debian's /etc/bash.bashrc gives it a prompt naming user, host and directory. */
const SHELL_CODE = 'exec bash -i';
/** The terminal's own environment: the run's, with a terminal type that has colours. */
const TERMINAL_ENV: readonly string[] = [
  ...PLAYGROUND_ENV.filter((variable) => !variable.startsWith('TERM=')),
  'TERM=xterm-256color',
];
/** 144 random bits, URL-safe, like session ids. */
const TERMINAL_ID_BYTES = 18;

export class TooManyTerminalsError extends BusyError {
  constructor(message: string) {
    super(message, 30);
  }
}

export interface TerminalStoreOptions {
  config: Config;
  engine: Engine;
  sessions: SessionStore;
  log: FastifyBaseLogger;
}

export class TerminalStore {
  readonly #options: TerminalStoreOptions;
  readonly #terminals = new Map<string, Terminal>();
  /** Terminals being opened, by session and by client, so a burst cannot overshoot the limits. */
  readonly #opening: Array<{ sessionId: string; client: string }> = [];
  #closed = false;

  constructor(options: TerminalStoreOptions) {
    this.#options = options;
    options.sessions.onEnd((sessionId, reason) => {
      for (const terminal of this.#terminals.values()) {
        if (terminal.sessionId === sessionId) {
          terminal.end({ code: TerminalCloseCode.sessionEnded, reason });
        }
      }
    });
  }

  get size(): number {
    return this.#terminals.size;
  }

  /** Opens a shell in the session's playground; NotFoundError for a dead session, BusyError at a limit. */
  async open(sessionId: string, client: string, size: TerminalSize): Promise<Terminal> {
    const { config, engine, sessions, log } = this.#options;
    if (this.#closed) throw new BusyError('server is shutting down', 30);
    const session = sessions.get(sessionId);
    const count = (match: (t: { sessionId: string; client: string }) => boolean) =>
      [...this.#terminals.values()].filter(match).length + this.#opening.filter(match).length;
    if (count((t) => t.sessionId === sessionId) >= config.terminalLimitPerSession) {
      throw new TooManyTerminalsError(
        `this playground already has ${config.terminalLimitPerSession} terminals open; close one first`,
      );
    }
    if (count((t) => t.client === client) >= config.terminalLimitPerClient) {
      throw new TooManyTerminalsError(
        `this client already has ${config.terminalLimitPerClient} terminals open; close one first`,
      );
    }
    const opening = { sessionId, client };
    this.#opening.push(opening);
    const runId = `terminal-${randomBytes(8).toString('hex')}`;
    let tty: Awaited<ReturnType<Engine['execTty']>>;
    try {
      tty = await engine.execTty(
        session.playgroundId,
        { cmd: [PLAYGROUND_EXEC, 'playground-run', runId, SHELL_CODE], env: [...TERMINAL_ENV] },
        size,
      );
    } finally {
      this.#opening.splice(this.#opening.indexOf(opening), 1);
    }
    const stopShell = () =>
      engine
        .exec(session.playgroundId, {
          cmd: [PLAYGROUND_EXEC, 'playground-stop', runId],
          env: [...PLAYGROUND_ENV],
          onOutput: () => {},
        })
        .catch(() => {
          // The playground is gone with the session: so is the shell.
        });
    // The session may have ended while the shell started.
    if (this.#closed || !isLive(sessions, sessionId)) {
      tty.stream.destroy();
      await stopShell();
      throw new NotFoundError(SESSION_NOT_FOUND_MESSAGE);
    }
    const terminal = new Terminal({
      id: randomBytes(TERMINAL_ID_BYTES).toString('base64url'),
      sessionId,
      client,
      tty,
      idleTimeoutMs: config.terminalIdleTimeoutMs,
      graceMs: config.terminalGraceMs,
      onInput: () => {
        if (isLive(sessions, sessionId)) sessions.touch(sessions.get(sessionId));
      },
      onEnd: (ended, end) => {
        this.#terminals.delete(ended.id);
        log.info({ session: shortSessionId(sessionId), code: end.code }, `terminal ended: ${end.reason}`);
        void stopShell();
      },
      log,
    });
    this.#terminals.set(terminal.id, terminal);
    return terminal;
  }

  /** The live terminal `id` of session `sessionId`, if there is one. */
  find(sessionId: string, id: string): Terminal | undefined {
    const terminal = this.#terminals.get(id);
    return terminal?.sessionId === sessionId && !terminal.ended ? terminal : undefined;
  }

  /** Ends every terminal (close code 1001) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const terminal of [...this.#terminals.values()]) {
      terminal.end({ code: TerminalCloseCode.serverShutdown, reason: 'the server is shutting down' });
    }
  }
}

function isLive(sessions: SessionStore, sessionId: string): boolean {
  try {
    sessions.get(sessionId);
    return true;
  } catch {
    return false;
  }
}
