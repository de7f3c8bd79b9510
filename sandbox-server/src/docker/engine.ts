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
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { EngineUnavailableError } from '../errors.ts';
import { createFrameDemuxer, type StreamName } from './demux.ts';

export type { StreamName } from './demux.ts';
/** The Docker API's container-create body (name included), as dockerode types it. */
export type ContainerCreateOptions = Docker.ContainerCreateOptions;

export interface EngineInfo {
  serverVersion: string;
  runtimes: string[];
  cpus: number;
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

export interface ExecOptions {
  cmd: string[];
  user?: string;
  /** The complete environment of the process. The server's own is never passed. */
  env: string[];
  workingDir?: string;
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

export interface Engine {
  ping(): Promise<void>;
  info(): Promise<EngineInfo>;
  inspectImage(name: string): Promise<ImageSummary | null>;
  /** Returns the new container's id. */
  createContainer(options: ContainerCreateOptions): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Runs a process in a running container; resolves when its output streams end. */
  exec(id: string, options: ExecOptions): Promise<ExecResult>;
  inspectContainer(id: string): Promise<ContainerState | null>;
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

  constructor(options: DockerEngineOptions) {
    this.#docker = new Docker({ socketPath: options.socketPath });
    this.#callTimeoutMs = options.callTimeoutMs;
  }

  async ping(): Promise<void> {
    await this.#call(() => this.#docker.ping({ abortSignal: this.#deadline() }));
  }

  async info(): Promise<EngineInfo> {
    const info = await this.#call(() => this.#docker.info({ abortSignal: this.#deadline() }));
    return {
      serverVersion: String(info.ServerVersion ?? ''),
      runtimes: Object.keys(info.Runtimes ?? {}),
      cpus: Number(info.NCPU ?? 0),
    };
  }

  async inspectImage(name: string): Promise<ImageSummary | null> {
    try {
      const image = await this.#call(() =>
        this.#docker.getImage(name).inspect({ abortSignal: this.#deadline() }),
      );
      return { id: image.Id, labels: image.Config?.Labels ?? {} };
    } catch (error) {
      if (isStatus(error, 404)) return null;
      throw error;
    }
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    const container = await this.#call(() =>
      this.#docker.createContainer({ ...options, abortSignal: this.#deadline() }),
    );
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.#call(() => this.#docker.getContainer(id).start({ abortSignal: this.#deadline() }));
  }

  async exec(id: string, options: ExecOptions): Promise<ExecResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const exec = await this.#call(() =>
      this.#docker.getContainer(id).exec({
        Cmd: options.cmd,
        Env: options.env,
        ...(options.user === undefined ? {} : { User: options.user }),
        ...(options.workingDir === undefined ? {} : { WorkingDir: options.workingDir }),
        AttachStdin: options.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        abortSignal: this.#deadline(),
      }),
    );
    const stream = await this.#call(() =>
      exec.start({ hijack: true, stdin: options.stdin !== undefined, Tty: false }),
    );
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
      if (options.stdin instanceof Buffer) stream.end(options.stdin);
      else if (options.stdin !== undefined) options.stdin.pipe(stream);
    });
    signal?.throwIfAborted();
    const inspected = await this.#call(() => exec.inspect({ abortSignal: this.#deadline() }));
    return { exitCode: inspected.Running ? null : inspected.ExitCode };
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

/** HTTP status of a Docker API error, if it is one. */
export function isStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === status;
}

function toEngineError(error: unknown): unknown {
  if (error instanceof EngineUnavailableError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const name = error instanceof Error ? error.name : '';
  if ((typeof code === 'string' && UNREACHABLE_CODES.has(code)) || name === 'TimeoutError') {
    return new EngineUnavailableError(`Docker engine unreachable: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
