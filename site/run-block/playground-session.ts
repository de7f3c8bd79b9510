/**
 * The page's Docker playground: one session for all docker blocks of the
 * page, created on the first docker run. Runs go through one at a time, in
 * the order they were asked for, so `docker run -d web` is done before
 * `docker ps` looks for it. A session the server no longer knows (expired,
 * reaped) is replaced once and the caller is told (`renewed`), so the reader
 * learns why earlier containers are gone.
 */
import {
  type OutputHandler,
  type PortPreview,
  type RunResult,
  type SandboxClient,
  SandboxError,
} from './sandbox-client.ts';

export interface PlaygroundRun {
  result: RunResult;
  /** The old session had expired: this run used a fresh playground. */
  renewed: boolean;
}

export class PlaygroundSession {
  readonly #client: SandboxClient;
  #session: Promise<string> | undefined;
  #id: string | undefined;
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(client: SandboxClient) {
    this.#client = client;
  }

  /** `onQueued` is called when the run has to wait for an earlier one. */
  async run(
    code: string,
    onOutput: OutputHandler,
    signal: AbortSignal,
    onQueued?: () => void,
  ): Promise<PlaygroundRun> {
    const turn = this.#tail;
    let finished = () => {};
    this.#tail = turn.then(() => new Promise<void>((resolve) => (finished = resolve)));
    if (this.#pending > 0) onQueued?.();
    this.#pending++;
    try {
      await untilAborted(turn, signal);
      return await this.#runNow(code, onOutput, signal);
    } finally {
      this.#pending--;
      // An abort while waiting frees this place at once; the next run still waits for the earlier ones.
      turn.then(() => finished());
    }
  }

  async #runNow(code: string, onOutput: OutputHandler, signal: AbortSignal): Promise<PlaygroundRun> {
    const id = await this.#ensure(signal);
    try {
      return {
        result: await this.#client.run({ runner: 'docker', code, session: id }, onOutput, signal),
        renewed: false,
      };
    } catch (error) {
      if (!(error instanceof SandboxError && error.problem.kind === 'session-gone')) throw error;
      this.#forget(id);
      const fresh = await this.#ensure(signal);
      return {
        result: await this.#client.run({ runner: 'docker', code, session: fresh }, onOutput, signal),
        renewed: true,
      };
    }
  }

  /** The session's id, creating the session on first use (the terminal panel connects to it). */
  sessionId(signal?: AbortSignal): Promise<string> {
    return this.#ensure(signal);
  }

  /** The published ports of the session, if there is one (none is started for this). */
  async ports(signal?: AbortSignal): Promise<PortPreview[]> {
    const id = this.#id;
    if (id === undefined) return [];
    try {
      return await this.#client.listPorts(id, signal);
    } catch (error) {
      if (!(error instanceof SandboxError && error.problem.kind === 'session-gone')) throw error;
      this.#forget(id);
      return [];
    }
  }

  /** A ticket that signs the session's terminal WebSocket in (token sign-in only; null otherwise). */
  terminalTicket(sessionId: string): Promise<string | null> {
    return this.#client.terminalTicket(sessionId);
  }

  /** The server said session `id` is gone: the next use starts a fresh one. */
  forgetExpired(id: string): void {
    this.#forget(id);
  }

  /** Ends the playground; the next docker run starts a fresh one. */
  async reset(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.#id = undefined;
    const id = await session?.catch(() => undefined);
    if (id !== undefined) await this.#client.deleteSession(id);
  }

  /** Best-effort end when the reader leaves the page (the server expires idle sessions anyway). */
  release(): void {
    if (this.#id === undefined) return;
    this.#client.deleteSession(this.#id, { keepalive: true }).catch(() => {});
    this.#session = undefined;
    this.#id = undefined;
  }

  #ensure(signal?: AbortSignal): Promise<string> {
    if (!this.#session) {
      const session = this.#client.createSession(signal).then(({ id }) => {
        if (this.#session === session) this.#id = id;
        return id;
      });
      session.catch(() => {
        if (this.#session === session) this.#session = undefined;
      });
      this.#session = session;
    }
    return this.#session;
  }

  #forget(id: string): void {
    if (this.#id === id) {
      this.#session = undefined;
      this.#id = undefined;
    }
  }
}

function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
