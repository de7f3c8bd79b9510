/**
 * A long-lived exec (Tty off) seen as one byte stream: what is written goes to the process's stdin, what
 * is read is its stdout, demultiplexed. Its stderr is kept (bounded) for the error a failed process
 * explains itself with. Reading is back-pressured: while the reader does not take more, the engine's
 * connection is paused, so a fast process cannot fill the server's memory.
 */
import { Duplex } from 'node:stream';
import { createFrameDemuxer } from './demux.ts';

/** Enough for a one-line error message ("Connection refused"); the rest is dropped. */
const STDERR_KEPT_BYTES = 1024;

export class ExecPipe extends Duplex {
  readonly #socket: Duplex;
  #stderr = Buffer.alloc(0);

  constructor(socket: Duplex) {
    super({ allowHalfOpen: false });
    this.#socket = socket;
    const demux = createFrameDemuxer((stream, chunk) => {
      if (stream === 'stdout') {
        if (!this.push(chunk)) socket.pause();
      } else if (this.#stderr.length < STDERR_KEPT_BYTES) {
        this.#stderr = Buffer.concat([this.#stderr, chunk]).subarray(0, STDERR_KEPT_BYTES);
      }
    });
    socket.on('data', demux);
    socket.once('end', () => this.push(null));
    socket.once('close', () => this.push(null));
    socket.once('error', (error) => this.destroy(error));
  }

  /** What the process wrote to stderr so far (its first KiB). */
  get stderr(): string {
    return this.#stderr.toString('utf8');
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }

  // node:http's client calls these on its socket; a pipe through the engine has no TCP options to set.
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }
}
