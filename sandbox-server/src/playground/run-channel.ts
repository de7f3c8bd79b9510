/**
 * The server's end of a playground's `playground-serve` process: one
 * long-lived exec through which the reader's runs go one after another, each
 * ended by its exit trailers (runs/snippet-protocol.ts). It spares every
 * run a `docker exec`.
 *
 * A run the caller gives up on (time limit, output cap, client gone) is
 * stopped by the caller; the channel stays busy until that run's trailers
 * arrive, so its last output is never taken for the next run's. If they do
 * not come, the channel is closed and the caller opens another.
 */
import { randomBytes } from 'node:crypto';
import type { Attachment, Engine, StreamName } from '../docker/engine.ts';
import { encodeRunRequest, SnippetOutput } from '../runs/snippet-protocol.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC } from './playground-container.ts';

/** How long a given-up run may take to report after it was stopped, before the channel is abandoned. */
export const STOPPED_RUN_REPORT_MS = 5_000;

export class RunChannelClosedError extends Error {
  constructor() {
    super('the playground run channel is closed');
  }
}

export class RunChannel {
  /** Starts playground-serve in the playground, as root of its user namespace. */
  static async open(engine: Engine, playgroundId: string): Promise<RunChannel> {
    const attachment = await engine.execAttached(playgroundId, {
      cmd: [PLAYGROUND_EXEC, 'playground-serve'],
      env: [...PLAYGROUND_ENV],
    });
    return new RunChannel(attachment);
  }

  readonly #attachment: Attachment;
  /** Settles when playground-serve's output ends: it exited, was killed, or the connection broke. */
  readonly #ended: Promise<void>;
  /** The run whose trailers are awaited; output goes to it. */
  #current: SnippetOutput | undefined;
  /** Settles when no run is awaited any more. */
  #idle: Promise<void> = Promise.resolve();

  constructor(attachment: Attachment) {
    this.#attachment = attachment;
    this.#ended = attachment
      .read((stream, chunk) => this.#current?.write(stream, chunk), new AbortController().signal)
      // A broken connection ends the channel like an exit does; the caller opens a new one.
      .catch(() => {})
      .finally(() => this.#current?.end());
  }

  get open(): boolean {
    return this.#attachment.open;
  }

  /**
   * Runs `code` as run `runId`; resolves with its exit status once its trailers arrived, or null if
   * playground-serve went away first. Aborting `signal` rejects at once; the caller stops the run.
   */
  async run(
    runId: string,
    code: string,
    onOutput: (stream: StreamName, chunk: Buffer) => void,
    signal: AbortSignal,
  ): Promise<{ exitCode: number | null }> {
    await this.#whenIdle();
    signal.throwIfAborted();
    if (!this.open) throw new RunChannelClosedError();
    const nonce = randomBytes(16).toString('hex');
    const output = new SnippetOutput(nonce, (stream, chunk) => {
      if (!signal.aborted) onOutput(stream, chunk);
    });
    this.#current = output;
    const reported = Promise.race([output.report.then(({ status }) => status), this.#ended.then(() => null)]);
    this.#idle = reported.then(() => {
      if (this.#current === output) this.#current = undefined;
    });
    this.#attachment.write(encodeRunRequest(nonce, runId, code));
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return { exitCode: await Promise.race([reported, aborted]) };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#attachment.close();
  }

  async #whenIdle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOPPED_RUN_REPORT_MS);
    });
    try {
      if ((await Promise.race([this.#idle, late])) === 'late') this.close();
    } finally {
      clearTimeout(timer);
    }
  }
}
