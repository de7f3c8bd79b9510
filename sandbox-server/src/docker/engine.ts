/**
 * The one small interface through which the server talks to Docker, and its
 * dockerode implementation. Runners, pools and the reaper only see `Engine`,
 * so unit tests can hand them a fake while integration tests use the real
 * engine.
 *
 * Every non-streaming call is bounded by `callTimeoutMs` (dockerode's own
 * `timeout` is an idle-socket timeout, not a limit). Failures that mean "the
 * engine cannot be reached" become `EngineUnavailableError`, which the HTTP
 * layer answers with 503.
 */
import type { Duplex, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { EngineUnavailableError } from '../errors.ts';
import { type Attachment, DockerAttachment } from './attachment.ts';
import { type CgroupMode, cgroupModeFromInfo, type EngineCgroupFields } from './cgroup-mode.ts';
import { createFrameDemuxer, type StreamName } from './demux.ts';
import { ExecPipe } from './exec-pipe.ts';
import { OomWatch } from './oom-watch.ts';

export type { Attachment } from './attachment.ts';
export type { StreamName } from './demux.ts';
export type { ExecPipe } from './exec-pipe.ts';
/** The Docker API's container-create body (name included), as dockerode types it. */
export type ContainerCreateOptions = Docker.ContainerCreateOptions;

export interface EngineInfo {
  serverVersion: string;
  runtimes: string[];
  cpus: number;
  /** The engine host's memory (`docker info` MemTotal): where the containers' memory comes from. */
  memoryBytes: number;
  cgroup: CgroupMode;
}

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  labels: Record<string, string>;
  state: string;
  createdMs: number;
}

export interface ContainerState {
  running: boolean;
  oomKilled: boolean;
  exitCode: number | null;
}

export interface ImageSummary {
  id: string;
  labels: Record<string, string>;
}

export interface ExecProcess {
  cmd: string[];
  user?: string;
  /** The complete environment of the process. The server's own is never passed. */
  env: string[];
  workingDir?: string;
}

export interface ExecOptions extends ExecProcess {
  /** Sent to the process's stdin, which is then closed. Without it stdin is empty. */
  stdin?: Buffer | Readable;
  /** Receives output as it arrives, stdout and stderr kept apart. */
  onOutput: (stream: StreamName, chunk: Buffer) => void;
  /** Aborting stops reading output and rejects with the signal's reason; the process is not killed. */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number | null;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** A process running on a pseudo-terminal the engine allocated (`docker exec -it`). */
export interface TtyExec {
  /** The terminal: bytes written are typed into it, bytes read are its screen output (no stream framing). */
  readonly stream: Duplex;
  /** Sets the terminal's size; the process gets SIGWINCH. */
  resize(size: TerminalSize): Promise<void>;
}

export interface Engine {
  ping(): Promise<void>;
  info(): Promise<EngineInfo>;
  inspectImage(name: string): Promise<ImageSummary | null>;
  /** Returns the new container's id. */
  createContainer(options: ContainerCreateOptions): Promise<string>;
  startContainer(id: string): Promise<void>;
  /**
   * Connects to the stdio of a container created with OpenStdin and StdinOnce;
   * call it before starting the container, as `docker run -i` does.
   */
  attachContainer(id: string): Promise<Attachment>;
  /** Runs a process in a running container; resolves when its output streams end. */
  exec(id: string, options: ExecOptions): Promise<ExecResult>;
  /** Starts a long-lived process in a running container, connected to its stdin and output. */
  execAttached(id: string, process: ExecProcess): Promise<Attachment>;
  /**
   * Starts a process in a running container as one byte stream: writes are its stdin, reads its stdout
   * (back-pressured); destroying the pipe closes the connection and with it the process's stdin.
   */
  execPipe(id: string, process: ExecProcess): Promise<ExecPipe>;
  /** Starts a process on a new pseudo-terminal of `size` in a running container, connected to it. */
  execTty(id: string, process: ExecProcess, size: TerminalSize): Promise<TtyExec>;
  inspectContainer(id: string): Promise<ContainerState | null>;
  /**
   * How many OOM events the engine has reported for a running container so far
   * (0: its memory never ran out; a single kill can raise many); null when not known
   * (then inspectContainer's `oomKilled`, set once the container stops, is the source).
   * With `settle`, every OOM that happened before the call is counted (docker/oom-watch.ts:
   * a no-op exec's end is awaited), at the cost of an exec.
   */
  oomEventCount(id: string, options?: { settle?: boolean }): Promise<number | null>;
  /**
   * Kills the container (if it still runs) and waits for the engine to report its exit; then
   * whether memory ran out in it at any time (the engine reports OOM events before the exit).
   * null when that is not known (the engine's event stream is down).
   */
  killAndReportOom(id: string): Promise<boolean | null>;
  /** SIGKILL; a container that is gone or already stopped is not an error. */
  killContainer(id: string): Promise<void>;
  /** Kills (if running) and removes with its anonymous volumes; a container that is gone is not an error. */
  removeContainer(id: string): Promise<void>;
  /** All containers (running or not) carrying every one of `labels` (`key=value` or `key`). */
  listContainers(labels: string[]): Promise<ContainerSummary[]>;
}

export interface DockerEngineOptions {
  socketPath: string;
  callTimeoutMs: number;
}

/** dockerode accepts `abortSignal` on these calls; its type definitions omit it. */
interface AbortableCalls {
  ping(options: { abortSignal: AbortSignal }): Promise<unknown>;
  info(options: {
    abortSignal: AbortSignal;
  }): Promise<
    { ServerVersion?: string; Runtimes?: object; NCPU?: number; MemTotal?: number } & EngineCgroupFields
  >;
}
type AbortableImageInspect = (options: { abortSignal: AbortSignal }) => Promise<Docker.ImageInspectInfo>;

/** How long to wait between asking for an exec's exit code, which can lag behind its output's end. */
const EXIT_CODE_POLL_MS = 50;

const EXIT_CODE_ATTEMPTS = 10;

/**
 * The engine watches a terminal exec's input for a detach sequence, Ctrl+P Ctrl+Q by default — which
 * would detach our own connection when the reader means the inner `docker run -it`'s. It cannot be
 * switched off, only replaced: by one nobody types (the engine passes a partial match on unchanged).
 */
const TTY_DETACH_KEYS = 'ctrl-],ctrl-@,ctrl-],ctrl-@,ctrl-],ctrl-@,ctrl-],ctrl-@';

/** A resize right after the start can come before the engine sees the exec running: it is tried again. */
const RESIZE_ATTEMPTS = 5;
const RESIZE_RETRY_MS = 50;

const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EACCES',
  'ETIMEDOUT',
  'ERR_SOCKET_CLOSED',
]);

export class DockerEngine implements Engine {
  readonly #docker: Docker;
  readonly #callTimeoutMs: number;
  readonly #oomWatch: OomWatch;

  constructor(options: DockerEngineOptions) {
    this.#docker = new Docker({ socketPath: options.socketPath });
    this.#callTimeoutMs = options.callTimeoutMs;
    this.#oomWatch = new OomWatch(this.#docker);
  }

  async ping(): Promise<void> {
    await this.#call(() =>
      (this.#docker as unknown as AbortableCalls).ping({ abortSignal: this.#deadline() }),
    );
  }

  async info(): Promise<EngineInfo> {
    const info = await this.#call(() =>
      (this.#docker as unknown as AbortableCalls).info({ abortSignal: this.#deadline() }),
    );
    return {
      serverVersion: String(info.ServerVersion ?? ''),
      runtimes: Object.keys(info.Runtimes ?? {}),
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
      cgroup: cgroupModeFromInfo(info),
    };
  }

  async inspectImage(name: string): Promise<ImageSummary | null> {
    try {
      const image = await this.#call(() => {
        const inspect = this.#docker.getImage(name).inspect as unknown as AbortableImageInspect;
        return inspect.call(this.#docker.getImage(name), { abortSignal: this.#deadline() });
      });
      return { id: image.Id, labels: image.Config?.Labels ?? {} };
    } catch (error) {
      if (isStatus(error, 404)) return null;
      throw error;
    }
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    // Listening before the container exists: none of its OOM kills can be missed.
    await this.#oomWatch.ready();
    const container = await this.#call(() =>
      this.#docker.createContainer({ ...options, abortSignal: this.#deadline() }),
    );
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.#call(() => this.#docker.getContainer(id).start({ abortSignal: this.#deadline() }));
  }

  async attachContainer(id: string): Promise<Attachment> {
    const attaching = this.#docker.getContainer(id).attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    }) as Promise<Duplex>;
    return this.#attachment(await this.#hijacked(attaching));
  }

  async execAttached(id: string, process: ExecProcess): Promise<Attachment> {
    const exec = await this.#createExec(id, process, true);
    const starting = exec.start({ hijack: true, stdin: true, Tty: false }) as Promise<Duplex>;
    return this.#attachment(await this.#hijacked(starting));
  }

  async execPipe(id: string, process: ExecProcess): Promise<ExecPipe> {
    const exec = await this.#createExec(id, process, true);
    const starting = exec.start({ hijack: true, stdin: true, Tty: false }) as Promise<Duplex>;
    return new ExecPipe(await this.#hijacked(starting));
  }

  async execTty(id: string, process: ExecProcess, size: TerminalSize): Promise<TtyExec> {
    const exec = await this.#createExec(id, process, true, true);
    const stream = await this.#hijacked(
      exec.start({ hijack: true, stdin: true, Tty: true }) as Promise<Duplex>,
    );
    const resize = async ({ cols, rows }: TerminalSize) => {
      await this.#call(() => exec.resize({ h: rows, w: cols, abortSignal: this.#deadline() }));
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await resize(size);
        break;
      } catch (error) {
        if (attempt === RESIZE_ATTEMPTS || error instanceof EngineUnavailableError) {
          stream.destroy();
          throw error;
        }
        await sleep(RESIZE_RETRY_MS);
      }
    }
    return { stream, resize };
  }

  /**
   * Waits, within the call timeout, for a hijacked connection (attach, exec start); one that comes too
   * late is closed. These calls get no abortSignal: it would stay tied to the upgraded connection.
   */
  #hijacked(connecting: Promise<Duplex>): Promise<Duplex> {
    return this.#call(() => withTimeout(connecting, this.#callTimeoutMs, (late) => late.destroy()));
  }

  #attachment(socket: Duplex): Attachment {
    return new DockerAttachment(socket, (error) => toEngineError(error) as Error);
  }

  async exec(id: string, options: ExecOptions): Promise<ExecResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const exec = await this.#createExec(id, options, options.stdin !== undefined);
    const stream = await this.#hijacked(
      exec.start({ hijack: true, stdin: options.stdin !== undefined, Tty: false }) as Promise<Duplex>,
    );
    if (signal?.aborted) {
      stream.destroy();
      throw signal.reason;
    }
    await new Promise<void>((resolve, reject) => {
      const demux = createFrameDemuxer(options.onOutput);
      const onAbort = () => {
        stream.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (error?: Error) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(toEngineError(error));
        else resolve();
      };
      stream.on('data', (chunk: Buffer) => demux(chunk));
      stream.once('end', () => settle());
      stream.once('close', () => settle());
      stream.once('error', (error: Error) => settle(error));
      const { stdin } = options;
      if (Buffer.isBuffer(stdin)) stream.end(stdin);
      else if (stdin !== undefined) stdin.pipe(stream);
    });
    signal?.throwIfAborted();
    // The streams can close a moment before the engine records the exit code.
    for (let attempt = 0; ; attempt++) {
      const inspected = await this.#call(() => exec.inspect({ abortSignal: this.#deadline() })).catch(
        (error: unknown) => {
          // The exec is gone with its container: there is no exit code to report.
          if (isStatus(error, 404)) return { Running: false, ExitCode: null };
          throw error;
        },
      );
      if (!inspected.Running || attempt === EXIT_CODE_ATTEMPTS) {
        return { exitCode: inspected.Running ? null : inspected.ExitCode };
      }
      await sleep(EXIT_CODE_POLL_MS);
    }
  }

  #createExec(id: string, process: ExecProcess, withStdin: boolean, tty = false): Promise<Docker.Exec> {
    return this.#call(() =>
      this.#docker.getContainer(id).exec({
        Cmd: process.cmd,
        Env: process.env,
        ...(process.user === undefined ? {} : { User: process.user }),
        ...(process.workingDir === undefined ? {} : { WorkingDir: process.workingDir }),
        AttachStdin: withStdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        ...(tty ? { DetachKeys: TTY_DETACH_KEYS } : {}),
        abortSignal: this.#deadline(),
      }),
    );
  }

  async inspectContainer(id: string): Promise<ContainerState | null> {
    try {
      const info = await this.#call(() =>
        this.#docker.getContainer(id).inspect({ abortSignal: this.#deadline() }),
      );
      return {
        running: info.State.Running,
        oomKilled: info.State.OOMKilled,
        exitCode: info.State.Running ? null : info.State.ExitCode,
      };
    } catch (error) {
      if (isStatus(error, 404)) return null;
      throw error;
    }
  }

  async oomEventCount(id: string, options: { settle?: boolean } = {}): Promise<number | null> {
    if (!this.#oomWatch.listening) return null;
    if (options.settle === true) {
      try {
        const exec = await this.#createExec(id, { cmd: ['true'], env: [] }, false);
        const fence = this.#oomWatch.afterExec(exec.id);
        try {
          const stream = await this.#hijacked(
            exec.start({ hijack: true, stdin: false, Tty: false }) as Promise<Duplex>,
          );
          stream.resume();
          await withTimeout(fence.ended, this.#callTimeoutMs, () => {}).finally(() => stream.destroy());
        } finally {
          fence.cancel();
        }
      } catch {
        // Not running any more, or the engine did not answer: the count cannot be settled.
        return null;
      }
    }
    return this.#oomWatch.count(id);
  }

  async killAndReportOom(id: string): Promise<boolean | null> {
    if (!this.#oomWatch.listening) return null;
    const exit = this.#oomWatch.afterExit(id);
    try {
      await this.killContainer(id);
      await withTimeout(exit.exited, this.#callTimeoutMs, () => {});
    } catch {
      return null;
    } finally {
      exit.cancel();
    }
    return (this.#oomWatch.count(id) ?? 0) > 0;
  }

  async killContainer(id: string): Promise<void> {
    try {
      await this.#call(() => this.#docker.getContainer(id).kill({ abortSignal: this.#deadline() }));
    } catch (error) {
      // 404: already removed; 409: not running.
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.#call(() =>
        this.#docker.getContainer(id).remove({ force: true, v: true, abortSignal: this.#deadline() }),
      );
      this.#oomWatch.forget(id);
    } catch (error) {
      // 404: already gone; 409: removal already in progress.
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    }
  }

  async listContainers(labels: string[]): Promise<ContainerSummary[]> {
    const containers = await this.#call(() =>
      this.#docker.listContainers({
        all: true,
        filters: { label: labels },
        abortSignal: this.#deadline(),
      }),
    );
    return containers.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      labels: c.Labels ?? {},
      state: c.State,
      createdMs: c.Created * 1000,
    }));
  }

  #deadline(): AbortSignal {
    return AbortSignal.timeout(this.#callTimeoutMs);
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toEngineError(error);
    }
  }
}

/** Settles like `promise`, or rejects with a TimeoutError after `ms`; a late result goes to `discard`. */
function withTimeout<T>(promise: Promise<T>, ms: number, discard: (late: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(Object.assign(new Error(`no answer from the engine within ${ms} ms`), { name: 'TimeoutError' }));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) discard(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** HTTP status of a Docker API error, if it is one. */
export function isStatus(error: unknown, status: number): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === status
  );
}

function toEngineError(error: unknown): unknown {
  if (error instanceof EngineUnavailableError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const name = error instanceof Error ? error.name : '';
  if ((typeof code === 'string' && UNREACHABLE_CODES.has(code)) || name === 'TimeoutError') {
    return new EngineUnavailableError(`Docker engine unreachable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return error;
}
