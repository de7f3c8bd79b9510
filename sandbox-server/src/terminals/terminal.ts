/**
 * One terminal: a shell on a pseudo-terminal in a playground (TtyExec), and the WebSocket of the page
 * showing it, if one is connected. The shell outlives a dropped connection for a grace period; a new
 * connection takes over and first gets the recent output again (OutputRing).
 *
 * Flow control both ways. Output: at most OUTPUT_WINDOW_BYTES the page has not acknowledged are in
 * flight; beyond that, and while no page is connected, the shell's output is not read, so the engine's
 * connection, then the pseudo-terminal fill up and the writing program blocks — a `yes` costs neither the
 * server's memory nor the tab's. Input: keystrokes the shell has not taken yet are held up to
 * INPUT_BUFFER_LIMIT_BYTES; beyond that the connection is closed (pausing the socket instead could
 * deadlock: the acknowledgements that let output, and so the shell, move on come on the same socket).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { TerminalSize, TtyExec } from '../docker/engine.ts';
import { OutputRing } from './output-ring.ts';
import {
  type ControlMessage,
  INPUT_BUFFER_LIMIT_BYTES,
  OUTPUT_WINDOW_BYTES,
  parseControlMessage,
  REPLAY_BYTES,
  type ReadyMessage,
  TerminalCloseCode,
} from './terminal-protocol.ts';

/** WebSocket close code of an intentional close (RFC 6455 §7.4.1). */
const NORMAL_CLOSURE = 1000;

export interface TerminalEnd {
  code: number;
  reason: string;
}

export interface TerminalOptions {
  id: string;
  sessionId: string;
  client: string;
  tty: TtyExec;
  idleTimeoutMs: number;
  graceMs: number;
  /** Called on every keystroke: typing keeps the session alive, as runs do. */
  onInput: () => void;
  /** Called once, when the terminal has ended (the shell's stream is already closed). */
  onEnd: (terminal: Terminal, end: TerminalEnd) => void;
  log: FastifyBaseLogger;
}

export class Terminal {
  readonly id: string;
  readonly sessionId: string;
  readonly client: string;
  readonly #options: TerminalOptions;
  readonly #ring = new OutputRing(REPLAY_BYTES);
  #socket: WebSocket | undefined;
  #unacknowledgedBytes = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  /** The size to apply once the resize in progress is done (only the latest matters). */
  #pendingSize: TerminalSize | undefined;
  #resizing = false;
  #ended = false;

  constructor(options: TerminalOptions) {
    this.#options = options;
    this.id = options.id;
    this.sessionId = options.sessionId;
    this.client = options.client;
    const { stream } = options.tty;
    stream.pause();
    stream.on('data', (chunk: Buffer) => this.#output(chunk));
    const exited = () => this.end({ code: TerminalCloseCode.shellExited, reason: 'the shell exited' });
    stream.once('end', exited);
    stream.once('close', exited);
    stream.on('error', exited);
    this.#resetIdleTimer();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Connects `socket` to the terminal; a previous connection is closed. `resumed`: replay recent output. */
  attach(socket: WebSocket, resumed: boolean): void {
    if (this.#ended) return;
    const previous = this.#socket;
    this.#socket = socket;
    if (previous !== undefined) {
      previous.close(TerminalCloseCode.replaced, 'this terminal was opened in another window');
    }
    clearTimeout(this.#graceTimer);
    this.#unacknowledgedBytes = 0;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.#socket !== socket) return;
      if (isBinary) this.#input(socket, data);
      else this.#control(socket, parseControlMessage(data.toString('utf8')));
    });
    // 1000 is a page (or script) ending the terminal on purpose: nothing will reconnect, so the shell
    // ends now instead of holding a terminal slot through the grace period. A dropped connection, a
    // reload or a closed tab (1001, 1005, 1006) keeps it for the grace period.
    socket.once('close', (code: number) => {
      if (code === NORMAL_CLOSURE && this.#socket === socket) {
        this.end({ code: TerminalCloseCode.terminalGone, reason: 'closed by the page' });
      } else this.#detach(socket);
    });
    const ready: ReadyMessage = { type: 'ready', terminal: this.id, resumed };
    socket.send(JSON.stringify(ready));
    if (resumed) this.#send(socket, this.#ring.contents());
    this.#updateFlow();
  }

  /** Ends the shell and closes the connection with `end`'s code; later calls do nothing. */
  end(end: TerminalEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#graceTimer);
    this.#options.tty.stream.destroy();
    const socket = this.#socket;
    this.#socket = undefined;
    // Output already read is sent before the close frame: the reader sees what `exit` printed.
    socket?.close(end.code, end.reason);
    this.#options.onEnd(this, end);
  }

  #output(chunk: Buffer): void {
    this.#ring.push(chunk);
    const socket = this.#socket;
    if (socket !== undefined) this.#send(socket, chunk);
    this.#updateFlow();
  }

  #send(socket: WebSocket, chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#unacknowledgedBytes += chunk.length;
    socket.send(chunk, { binary: true });
  }

  #input(socket: WebSocket, data: Buffer): void {
    this.#resetIdleTimer();
    this.#options.onInput();
    const { stream } = this.#options.tty;
    if (stream.writableLength + data.length > INPUT_BUFFER_LIMIT_BYTES) {
      socket.close(TerminalCloseCode.inputOverflow, 'input arrives faster than the shell takes it');
      return;
    }
    stream.write(data);
  }

  #control(socket: WebSocket, message: ControlMessage | null): void {
    if (message === null) {
      socket.close(TerminalCloseCode.badMessage, 'unknown control message');
      return;
    }
    if (message.type === 'ack') {
      this.#unacknowledgedBytes = Math.max(0, this.#unacknowledgedBytes - message.bytes);
      this.#updateFlow();
    } else {
      this.#resize({ cols: message.cols, rows: message.rows });
    }
  }

  /** Reads the shell's output only while a page is connected and the window has room. */
  #updateFlow(): void {
    const { stream } = this.#options.tty;
    const open = this.#socket !== undefined && this.#unacknowledgedBytes < OUTPUT_WINDOW_BYTES;
    if (open && stream.isPaused()) stream.resume();
    else if (!open && !stream.isPaused()) stream.pause();
  }

  #resize(size: TerminalSize): void {
    this.#pendingSize = size;
    if (this.#resizing) return;
    this.#resizing = true;
    void (async () => {
      while (this.#pendingSize !== undefined && !this.#ended) {
        const next = this.#pendingSize;
        this.#pendingSize = undefined;
        await this.#options.tty.resize(next).catch((error: unknown) => {
          this.#options.log.debug({ err: error }, 'terminal resize failed');
        });
      }
      this.#resizing = false;
    })();
  }

  #detach(socket: WebSocket): void {
    if (this.#socket !== socket || this.#ended) return;
    this.#socket = undefined;
    this.#updateFlow();
    this.#graceTimer = setTimeout(
      () => this.end({ code: TerminalCloseCode.terminalGone, reason: 'nobody reconnected in time' }),
      this.#options.graceMs,
    );
  }

  #resetIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(
      () => this.end({ code: TerminalCloseCode.idle, reason: 'closed after a while without input' }),
      this.#options.idleTimeoutMs,
    );
  }
}
