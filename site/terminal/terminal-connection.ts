/**
 * The page's end of a terminal WebSocket (protocol: sandbox-server/src/terminals/terminal-protocol.ts):
 * keystrokes out, screen output in and acknowledged once the screen has drawn it, resizes, and
 * reconnection to the same shell after a drop (the server keeps it for a grace period and replays its
 * recent output). Every end the reader must act on comes out as `ended` with the server's close code.
 */
import {
  ACK_STEP_BYTES,
  type ReadyMessage,
  TerminalCloseCode,
} from '../../sandbox-server/src/terminals/terminal-protocol.ts';
import { SandboxError } from '../run-block/sandbox-client.ts';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open'; resumed: boolean }
  | { kind: 'reconnecting' }
  | { kind: 'ended'; code: number };

export interface TerminalConnectionOptions {
  baseUrl: string;
  sessionId: string;
  /** A single-use sign-in ticket for each connection (AUTH_MODE=token), null when none is needed. */
  ticket: (sessionId: string) => Promise<string | null>;
  size: () => { cols: number; rows: number };
  /** Draws output; call `drawn` once it is on the screen (that acknowledges it to the server). */
  onOutput: (data: Uint8Array, drawn: () => void) => void;
  onState: (state: ConnectionState) => void;
}

/** Waits between reconnection attempts; together well within the server's default grace period (60 s). */
const RECONNECT_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];
/** Keystrokes kept while the connection is not open (a command typed by "Run in terminal" meanwhile). */
const PENDING_INPUT_LIMIT_BYTES = 16 * 1024;
/** Close codes of a connection that broke rather than ended: the shell may still be there. */
const BROKEN = new Set([1005, 1006, 1011, 1012, 1013]);

export class TerminalConnection {
  readonly #options: TerminalConnectionOptions;
  readonly #encoder = new TextEncoder();
  #socket: WebSocket | undefined;
  #terminalId: string | undefined;
  #pendingInput: Uint8Array<ArrayBuffer>[] = [];
  #drawnBytes = 0;
  #attempt = 0;
  #closed = false;

  constructor(options: TerminalConnectionOptions) {
    this.#options = options;
    this.#connect();
  }

  /** Types `text` into the shell (kept until the connection is open, within a bound). */
  send(text: string): void {
    const bytes = this.#encoder.encode(text);
    if (this.#socket?.readyState === WebSocket.OPEN && this.#terminalId !== undefined) {
      this.#socket.send(bytes);
      return;
    }
    const pending = this.#pendingInput.reduce((sum, chunk) => sum + chunk.length, 0);
    if (pending + bytes.length <= PENDING_INPUT_LIMIT_BYTES) this.#pendingInput.push(bytes);
  }

  resize(cols: number, rows: number): void {
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(JSON.stringify({ type: 'resize', cols, rows }));
    }
  }

  close(): void {
    this.#closed = true;
    this.#socket?.close(1000);
  }

  #connect(): void {
    this.#options.onState(this.#terminalId === undefined ? { kind: 'connecting' } : { kind: 'reconnecting' });
    this.#options.ticket(this.#options.sessionId).then(
      (ticket) => {
        if (!this.#closed) this.#open(ticket);
      },
      (error: unknown) => {
        const gone = error instanceof SandboxError && error.problem.kind === 'session-gone';
        this.#options.onState({
          kind: 'ended',
          code: gone ? TerminalCloseCode.sessionEnded : TerminalCloseCode.unavailable,
        });
      },
    );
  }

  #open(ticket: string | null): void {
    const { cols, rows } = this.#options.size();
    const base = this.#options.baseUrl === '' ? location.href : this.#options.baseUrl;
    const url = new URL(`/api/sessions/${encodeURIComponent(this.#options.sessionId)}/terminal`, base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('cols', String(cols));
    url.searchParams.set('rows', String(rows));
    if (this.#terminalId !== undefined) url.searchParams.set('terminal', this.#terminalId);
    if (ticket !== null) url.searchParams.set('ticket', ticket);
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    this.#drawnBytes = 0;
    socket.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data === 'string') this.#ready(socket, JSON.parse(event.data) as ReadyMessage);
      else {
        const data = new Uint8Array(event.data);
        this.#options.onOutput(data, () => this.#drawn(socket, data.length));
      }
    });
    socket.addEventListener('close', (event) => this.#closedWith(socket, event.code));
  }

  #ready(socket: WebSocket, message: ReadyMessage): void {
    this.#terminalId = message.terminal;
    this.#attempt = 0;
    this.#options.onState({ kind: 'open', resumed: message.resumed });
    const { cols, rows } = this.#options.size();
    socket.send(JSON.stringify({ type: 'resize', cols, rows }));
    for (const chunk of this.#pendingInput.splice(0)) socket.send(chunk);
  }

  #drawn(socket: WebSocket, bytes: number): void {
    if (socket !== this.#socket || socket.readyState !== WebSocket.OPEN) return;
    this.#drawnBytes += bytes;
    if (this.#drawnBytes >= ACK_STEP_BYTES) {
      socket.send(JSON.stringify({ type: 'ack', bytes: this.#drawnBytes }));
      this.#drawnBytes = 0;
    }
  }

  #closedWith(socket: WebSocket, code: number): void {
    if (socket !== this.#socket || this.#closed) return;
    const delay = RECONNECT_DELAYS_MS[this.#attempt];
    const mayComeBack = BROKEN.has(code) || code === TerminalCloseCode.serverShutdown;
    if (mayComeBack && this.#terminalId !== undefined && delay !== undefined) {
      this.#attempt++;
      this.#options.onState({ kind: 'reconnecting' });
      setTimeout(() => {
        if (!this.#closed) this.#connect();
      }, delay);
      return;
    }
    this.#options.onState({
      kind: 'ended',
      code:
        BROKEN.has(code) || code === TerminalCloseCode.serverShutdown ? TerminalCloseCode.unavailable : code,
    });
  }
}
