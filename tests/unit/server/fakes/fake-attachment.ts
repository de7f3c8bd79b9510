/**
 * The fake engine's stdio connection: what the server writes goes to
 * `onInput`; the fake process's output is pushed with `emit` and ended with
 * `end`, and reaches the reader as the real DockerAttachment delivers it.
 */
import type { Attachment, StreamName } from '../../../../sandbox-server/src/docker/engine.ts';

export class FakeAttachment implements Attachment {
  readonly #isRunning: () => boolean;
  readonly #onInput: (data: Buffer, closesStdin: boolean) => void;
  #deliver: ((stream: StreamName, chunk: Buffer) => void) | undefined;
  readonly #early: Array<[StreamName, Buffer]> = [];
  #ended = false;
  #failure: Error | undefined;
  #onEnd = () => {};

  constructor(isRunning: () => boolean, onInput: (data: Buffer, closesStdin: boolean) => void) {
    this.#isRunning = isRunning;
    this.#onInput = onInput;
  }

  get open(): boolean {
    return !this.#ended && this.#isRunning();
  }

  write(data: Buffer): void {
    if (!this.#ended) this.#onInput(data, false);
  }

  send(input: Buffer): void {
    if (!this.#ended) this.#onInput(input, true);
  }

  read(onOutput: (stream: StreamName, chunk: Buffer) => void, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => {
        this.end();
        reject(signal.reason);
      });
      this.#deliver = onOutput;
      for (const [stream, chunk] of this.#early.splice(0)) onOutput(stream, chunk);
      this.#onEnd = () => (this.#failure ? reject(this.#failure) : resolve());
      if (this.#ended) this.#onEnd();
    });
  }

  close(): void {
    this.end();
  }

  emit(stream: StreamName, chunk: Buffer): void {
    if (this.#ended) return;
    if (this.#deliver) this.#deliver(stream, chunk);
    else this.#early.push([stream, chunk]);
  }

  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failure = error;
    this.#onEnd();
  }
}
