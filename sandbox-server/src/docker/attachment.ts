/**
 * A hijacked `POST /containers/{id}/attach` (or exec start) connection: the
 * process's stdin one way, its multiplexed stdout/stderr the other. It is
 * opened when a pooled container is created and may wait long before it is used, so it
 * reads (and keeps) from the start: that is how a connection that dies while
 * waiting is noticed, and no output can be lost before `read` is called.
 */
import type { Duplex } from 'node:stream';
import { createFrameDemuxer, type StreamName } from './demux.ts';

/** A connection to the stdio of a container's main process or of an exec (Engine.attachContainer, execAttached). */
export interface Attachment {
  /** False once the output ended or the connection broke — e.g. the container died while waiting. */
  readonly open: boolean;
  /** Writes to the process's stdin, which stays open. */
  write(data: Buffer): void;
  /** Writes `input` to the process's stdin and closes it (for a container: one with StdinOnce). */
  send(input: Buffer): void;
  /**
   * Delivers the output, stdout and stderr apart, including any that arrived
   * before the call; resolves when it ends. Aborting `signal` closes the
   * connection and rejects with the signal's reason. Call once.
   */
  read(onOutput: (stream: StreamName, chunk: Buffer) => void, signal: AbortSignal): Promise<void>;
  /** Closes the connection; the container itself is not touched. */
  close(): void;
}

export class DockerAttachment implements Attachment {
  readonly #socket: Duplex;
  #received: Buffer[] | undefined = [];
  #demux: ((chunk: Buffer) => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  #onSettled: (() => void) | undefined;

  /** `toError` turns a connection error into the engine error the caller should see. */
  constructor(socket: Duplex, toError: (error: unknown) => Error) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#demux) this.#demux(chunk);
      else this.#received?.push(chunk);
    });
    const settle = (error?: unknown) => {
      if (this.#ended) return;
      this.#ended = true;
      if (error !== undefined) this.#error = toError(error);
      this.#onSettled?.();
    };
    socket.once('end', () => settle());
    socket.once('close', () => settle());
    socket.on('error', (error) => settle(error));
  }

  get open(): boolean {
    return !this.#ended && !this.#socket.destroyed;
  }

  write(data: Buffer): void {
    this.#socket.write(data);
  }

  send(input: Buffer): void {
    this.#socket.end(input);
  }

  read(onOutput: (stream: StreamName, chunk: Buffer) => void, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = () => {
        signal.removeEventListener('abort', onAbort);
        if (this.#error) reject(this.#error);
        else resolve();
      };
      const onAbort = () => {
        this.#onSettled = undefined;
        this.close();
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#demux = createFrameDemuxer(onOutput);
      for (const chunk of this.#received?.splice(0) ?? []) this.#demux(chunk);
      this.#received = undefined;
      if (this.#ended) finish();
      else this.#onSettled = finish;
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
