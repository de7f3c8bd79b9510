/**
 * Keeps at most `limitBytes` of a run's stdout+stderr and forwards the kept
 * part as text to a sink while it arrives. Bytes beyond the limit are dropped
 * as they come, so server memory stays flat however much a snippet prints;
 * the first byte over the limit fires `onLimit` (the caller stops the run).
 * UTF-8 sequences split across chunks are held back until complete.
 */
import { StringDecoder } from 'node:string_decoder';
import type { StreamName } from '../docker/demux.ts';
import type { OutputSink } from './output-sink.ts';

export class OutputCapture {
  readonly #limitBytes: number;
  readonly #sink: OutputSink;
  readonly #onLimit: () => void;
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #text: Record<StreamName, string[]> = { stdout: [], stderr: [] };
  #keptBytes = 0;
  #truncated = false;
  #finished = false;

  constructor(limitBytes: number, sink: OutputSink, onLimit: () => void) {
    this.#limitBytes = limitBytes;
    this.#sink = sink;
    this.#onLimit = onLimit;
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  write(stream: StreamName, chunk: Buffer): void {
    if (this.#finished || this.#truncated) return;
    const room = this.#limitBytes - this.#keptBytes;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#keptBytes += kept.length;
    this.#emit(stream, this.#decoders[stream].write(kept));
    if (kept.length < chunk.length) {
      this.#truncated = true;
      this.#onLimit();
    }
  }

  /** Flushes held-back bytes and returns everything kept. Later writes are ignored. */
  finish(): { stdout: string; stderr: string } {
    if (!this.#finished) {
      this.#finished = true;
      this.#emit('stdout', this.#decoders.stdout.end());
      this.#emit('stderr', this.#decoders.stderr.end());
    }
    return { stdout: this.#text.stdout.join(''), stderr: this.#text.stderr.join('') };
  }

  #emit(stream: StreamName, text: string): void {
    if (text === '') return;
    this.#text[stream].push(text);
    this.#sink(stream, text);
  }
}
