/**
 * A terminal client over a real WebSocket, as the page is one (protocol:
 * sandbox-server/src/terminals/terminal-protocol.ts): it acknowledges output as it reads it, keeps what
 * the screen received as text, and waits for patterns in it. Used by the integration tests, the
 * terminal doc-tests and `npm run bench:terminal`.
 */
import { WebSocket } from 'ws';
import { ACK_STEP_BYTES, type ReadyMessage } from '../../sandbox-server/src/terminals/terminal-protocol.ts';

export interface TerminalClose {
  code: number;
  reason: string;
}

export interface TerminalClientOptions {
  /** Sent as the handshake's Origin, as a browser would. */
  origin?: string;
  cols?: number;
  rows?: number;
  /** Reconnect to this terminal. */
  resume?: string;
  /** Leave output unacknowledged (to see the server stop sending). */
  withholdAcks?: boolean;
}

export class TerminalClient {
  /** Every byte of output received, decoded. */
  output = '';
  receivedBytes = 0;
  ready: ReadyMessage | undefined;
  readonly closed: Promise<TerminalClose>;
  readonly #socket: WebSocket;
  readonly #waiters = new Set<() => void>();
  #unacknowledged = 0;
  #close: TerminalClose | undefined;

  /** Resolves once the server said `ready`, or with the close if it refused. */
  static async connect(baseUrl: string, session: string, options: TerminalClientOptions = {}) {
    const client = new TerminalClient(baseUrl, session, options);
    await client.waitUntil(() => client.ready !== undefined || client.#close !== undefined, 60_000);
    return client;
  }

  constructor(baseUrl: string, session: string, options: TerminalClientOptions = {}) {
    const url = new URL(`/api/sessions/${session}/terminal`, baseUrl.replace(/^http/, 'ws'));
    if (options.cols !== undefined) url.searchParams.set('cols', String(options.cols));
    if (options.rows !== undefined) url.searchParams.set('rows', String(options.rows));
    if (options.resume !== undefined) url.searchParams.set('terminal', options.resume);
    this.#socket = new WebSocket(url, options.origin === undefined ? {} : { origin: options.origin });
    const decoder = new TextDecoder();
    this.#socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.ready = JSON.parse(data.toString('utf8')) as ReadyMessage;
      } else {
        this.output += decoder.decode(data, { stream: true });
        this.receivedBytes += data.length;
        this.#unacknowledged += data.length;
        if (!options.withholdAcks && this.#unacknowledged >= ACK_STEP_BYTES) this.acknowledge();
      }
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      this.#socket.on('close', (code, reason) => {
        this.#close = { code, reason: reason.toString('utf8') };
        resolve(this.#close);
        this.#wake();
      });
      this.#socket.on('error', () => {});
    });
  }

  /** The output as a reader reads it: without control sequences and carriage returns. */
  get text(): string {
    return plainText(this.output);
  }

  /** Like waitFor, in `text` (patterns see lines ending in `\n` only, no colours or modes). */
  async waitForText(pattern: RegExp, timeoutMs = 30_000, fromIndex = 0): Promise<number> {
    let end = -1;
    const found = () => {
      const rest = this.text.slice(fromIndex);
      const match = pattern.exec(rest);
      if (match === null) return false;
      end = fromIndex + match.index + match[0].length;
      return true;
    };
    await this.waitUntil(
      found,
      timeoutMs,
      () => `waiting for ${String(pattern)}; screen so far:\n${this.text.slice(fromIndex).slice(-1500)}`,
    );
    return end;
  }

  /** The close, if the connection has ended. */
  get closeInfo(): TerminalClose | undefined {
    return this.#close;
  }

  /** Types `keys` (sent as one binary frame, as the page sends keystrokes). */
  type(keys: string | Buffer): void {
    this.#socket.send(typeof keys === 'string' ? Buffer.from(keys, 'utf8') : keys, { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.#socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  sendText(text: string): void {
    this.#socket.send(text);
  }

  acknowledge(): void {
    if (this.#unacknowledged === 0) return;
    this.#socket.send(JSON.stringify({ type: 'ack', bytes: this.#unacknowledged }));
    this.#unacknowledged = 0;
  }

  /** Waits until `pattern` appears in the output after `fromIndex`; returns the index just past it. */
  async waitFor(pattern: RegExp | string, timeoutMs = 30_000, fromIndex = 0): Promise<number> {
    let end = -1;
    const found = () => {
      const rest = this.output.slice(fromIndex);
      const match = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
      if (match === -1) return false;
      const length = typeof pattern === 'string' ? pattern.length : (rest.match(pattern)?.[0].length ?? 0);
      end = fromIndex + match + length;
      return true;
    };
    await this.waitUntil(
      found,
      timeoutMs,
      () => `waiting for ${String(pattern)}; screen so far:\n${this.output.slice(-2000)}`,
    );
    return end;
  }

  async waitUntil(condition: () => boolean, timeoutMs: number, explain?: () => string): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(explain?.() ?? `condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Drops the connection without a close handshake, as a network failure would. */
  drop(): void {
    this.#socket.terminate();
  }

  /** Ends the terminal (close code 1000: the server ends the shell at once, no grace period). */
  close(): void {
    this.#socket.close(1000, 'done');
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** CSI sequences (ESC [ … final byte) and single-character escapes, as a terminal would consume them. */
const CONTROL_SEQUENCE = new RegExp(`${String.fromCharCode(0x1b)}(?:\\[[0-9;?]*[ -/]*[@-~]|[0-~])`, 'g');

export function plainText(output: string): string {
  return output.replace(CONTROL_SEQUENCE, '').replaceAll('\r', '');
}
