/**
 * An in-memory Engine for unit tests: containers are records, and an exec —
 * or a snippet sent to a shell sandbox or a playground's run channel, whose
 * wrappers the fake plays — runs a scripted program (`FakeProgram`) that writes output, waits,
 * and exits, or hangs until its container is killed, like the real thing.
 * `unreachable` makes every call fail as if the socket were gone.
 */

import { PassThrough } from 'node:stream';
import type { CgroupMode } from '../../../../sandbox-server/src/docker/cgroup-mode.ts';
import type {
  Attachment,
  ContainerCreateOptions,
  ContainerState,
  ContainerSummary,
  Engine,
  EngineInfo,
  ExecOptions,
  ExecPipe,
  ExecProcess,
  ExecResult,
  ImageSummary,
  StreamName,
  TerminalSize,
  TtyExec,
} from '../../../../sandbox-server/src/docker/engine.ts';
import { EngineUnavailableError } from '../../../../sandbox-server/src/errors.ts';
import { PLAYGROUND_EXEC } from '../../../../sandbox-server/src/playground/playground-container.ts';
import { decodeSnippetInput, exitTrailer } from '../../../../sandbox-server/src/runs/snippet-protocol.ts';
import { FakeAttachment } from './fake-attachment.ts';

export interface FakeProcess {
  write(stream: StreamName, text: string | Buffer): void;
  /** Resolves when the container is killed. */
  killed: Promise<void>;
  isKilled(): boolean;
  cmd: string[];
  env: string[];
}

/** Returns the exit code, or never resolves (until killed). */
export type FakeProgram = (process: FakeProcess) => Promise<number>;

interface FakeContainer {
  id: string;
  name: string;
  options: ContainerCreateOptions;
  labels: Record<string, string>;
  running: boolean;
  oomKilled: boolean;
  exitCode: number | null;
  /** Programs run in it: execs, and the snippet of an attached sandbox. */
  execs: number;
  onKill: Array<() => void>;
}

export class FakeEngine implements Engine {
  readonly containers = new Map<string, FakeContainer>();
  readonly removed: string[] = [];
  unreachable = false;
  runtimes = ['runc'];
  cgroup: CgroupMode = { version: 1, driver: 'cgroupfs' };
  missingImages = new Set<string>();
  /** Delay of createContainer, to see requests wait for the pool. */
  createDelayMs = 0;
  /**
   * When set, createContainer makes the container at once (it is listed, as on a real engine once
   * the create is under way) and answers only when this settles.
   */
  createAnswerHeld: Promise<void> | undefined;
  /**
   * Whether the shell wrapper it plays can read its container's memory cgroup (runc) and so puts a
   * memory verdict in its trailer; by default it cannot (gVisor) and the runner asks the engine.
   */
  wrapperReadsCgroup = false;
  /** How often the runner asked for the engine's OOM verdict (killAndReportOom). */
  oomVerdictsAsked = 0;
  /** When set, removeContainer fails with this error (the engine refuses or times out). */
  removeFailure: Error | undefined;
  /** What an exec does; by default it echoes its last argument. */
  program: FakeProgram = async (p) => {
    p.write('stdout', `${p.cmd.at(-1) ?? ''}\n`);
    return 0;
  };
  /** Sizes the fake terminals were given, in order. */
  readonly terminalSizes: TerminalSize[] = [];
  #nextId = 1;
  /** Stops the program of a playground run, by run id (what playground-stop does). */
  readonly #runStops = new Map<string, () => void>();

  async ping(): Promise<void> {
    this.#check();
  }

  async info(): Promise<EngineInfo> {
    this.#check();
    return {
      serverVersion: 'fake',
      runtimes: this.runtimes,
      cpus: 2,
      memoryBytes: 24 * 1024 ** 3,
      cgroup: this.cgroup,
    };
  }

  async inspectImage(name: string): Promise<ImageSummary | null> {
    this.#check();
    return this.missingImages.has(name) ? null : { id: `sha256:${name}`, labels: {} };
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    this.#check();
    if (this.createDelayMs > 0) await new Promise((r) => setTimeout(r, this.createDelayMs));
    this.#check();
    if (options.Image !== undefined && this.missingImages.has(options.Image)) {
      throw Object.assign(new Error(`No such image: ${options.Image}`), { statusCode: 404 });
    }
    const id = `fake${this.#nextId++}`;
    this.containers.set(id, {
      id,
      name: options.name ?? id,
      options,
      labels: options.Labels ?? {},
      running: false,
      oomKilled: false,
      exitCode: null,
      execs: 0,
      onKill: [],
    });
    if (this.createAnswerHeld) await this.createAnswerHeld;
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.#get(id).running = true;
  }

  /** Plays the snippet wrapper (snippet-protocol.ts): runs the program on the code sent, then reports. */
  async attachContainer(id: string): Promise<Attachment> {
    const container = this.#get(id);
    const attachment: FakeAttachment = new FakeAttachment(
      () => container.running,
      (input) => {
        const { nonce, code } = decodeSnippetInput(input);
        const cmd = ['bash', '-c', code];
        void this.#runProgram(container, cmd, containerEnv(container), (s, c) => attachment.emit(s, c)).then(
          ({ exitCode, killed }) => {
            if (this.unreachable)
              return attachment.end(new EngineUnavailableError('Docker engine unreachable (fake)'));
            if (killed) return;
            const verdict = this.wrapperReadsCgroup ? container.oomKilled : undefined;
            for (const stream of STREAMS) {
              attachment.emit(stream, Buffer.from(exitTrailer(nonce, exitCode, verdict)));
            }
            container.running = false;
            container.exitCode = exitCode;
            attachment.end();
          },
        );
      },
    );
    container.onKill.push(() => attachment.end());
    return attachment;
  }

  /** Only for playground-serve, which it plays: each request runs the program as a `playground-run` exec would. */
  async execAttached(id: string, process: ExecProcess): Promise<Attachment> {
    const container = this.#get(id);
    if (process.cmd.at(-1) !== 'playground-serve')
      throw new Error(`fake execAttached: ${process.cmd.join(' ')}`);
    let pending = Buffer.alloc(0);
    let queue = Promise.resolve();
    const attachment: FakeAttachment = new FakeAttachment(
      () => container.running,
      (data) => {
        pending = Buffer.concat([pending, data]);
        for (let end = pending.indexOf(0); end !== -1; end = pending.indexOf(0)) {
          const request = pending.subarray(0, end).toString('utf8');
          pending = pending.subarray(end + 1);
          const newline = request.indexOf('\n');
          const [nonce = '', runId = ''] = request.slice(0, newline).split(' ');
          const cmd = [PLAYGROUND_EXEC, 'playground-run', runId, request.slice(newline + 1)];
          queue = queue.then(async () => {
            const stopped = new Promise<void>((resolve) => this.#runStops.set(runId, resolve));
            const { exitCode } = await this.#runProgram(
              container,
              cmd,
              process.env,
              (s, c) => attachment.emit(s, c),
              stopped,
            );
            this.#runStops.delete(runId);
            if (this.unreachable)
              return attachment.end(new EngineUnavailableError('Docker engine unreachable (fake)'));
            for (const stream of STREAMS) attachment.emit(stream, Buffer.from(exitTrailer(nonce, exitCode)));
          });
        }
      },
    );
    container.onKill.push(() => attachment.end());
    return attachment;
  }

  /** Previews are exercised against the real engine (tests/integration/playground/previews.test.ts). */
  async execPipe(id: string, process: ExecProcess): Promise<ExecPipe> {
    this.#get(id);
    throw new Error(`fake execPipe: ${process.cmd.join(' ')}`);
  }

  /** A terminal that echoes what is typed, like a line discipline with nothing reading; killing ends it. */
  async execTty(id: string, _process: ExecProcess, size: TerminalSize): Promise<TtyExec> {
    const container = this.#get(id);
    this.terminalSizes.push(size);
    const stream = new PassThrough();
    container.onKill.push(() => stream.end());
    return {
      stream,
      resize: async (next) => {
        this.#check();
        this.terminalSizes.push(next);
      },
    };
  }

  async exec(id: string, options: ExecOptions): Promise<ExecResult> {
    const container = this.#get(id);
    if (!container.running) throw Object.assign(new Error('container is not running'), { statusCode: 409 });
    options.signal?.throwIfAborted();
    // playground-stop ends the run it names, as killing its process cgroup would.
    if (options.cmd[1] === 'playground-stop') this.#runStops.get(options.cmd[2] ?? '')?.();
    const aborted = new Promise<never>((_, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
    });
    const { exitCode } = await Promise.race([
      this.#runProgram(container, options.cmd, options.env, (stream, chunk) =>
        options.onOutput(stream, chunk),
      ),
      aborted,
    ]);
    this.#check();
    return { exitCode };
  }

  /** Runs `program` in the container; a kill ends it with 137. */
  async #runProgram(
    container: FakeContainer,
    cmd: string[],
    env: string[],
    onOutput: (stream: StreamName, chunk: Buffer) => void,
    stopped: Promise<void> = new Promise(() => {}),
  ): Promise<{ exitCode: number; killed: boolean }> {
    container.execs++;
    let killed = !container.running;
    const killedPromise = new Promise<void>((resolve) => {
      const kill = () => {
        killed = true;
        resolve();
      };
      container.onKill.push(kill);
      void stopped.then(kill);
    });
    const exit = this.program({
      cmd,
      env,
      write: (stream, text) => {
        if (!killed) onOutput(stream, Buffer.from(text));
      },
      killed: killedPromise,
      isKilled: () => killed,
    });
    const exitCode = await Promise.race([exit, killedPromise.then(() => 137)]);
    return { exitCode, killed };
  }

  async inspectContainer(id: string): Promise<ContainerState | null> {
    this.#check();
    const c = this.containers.get(id);
    return c ? { running: c.running, oomKilled: c.oomKilled, exitCode: c.exitCode } : null;
  }

  async oomEventCount(id: string): Promise<number | null> {
    return this.containers.get(id)?.oomKilled ? 1 : 0;
  }
  async killAndReportOom(id: string): Promise<boolean | null> {
    this.oomVerdictsAsked++;
    await this.killContainer(id);
    return this.containers.get(id)?.oomKilled ?? false;
  }

  async killContainer(id: string): Promise<void> {
    this.#check();
    const c = this.containers.get(id);
    if (!c) return;
    c.running = false;
    c.exitCode = 137;
    for (const callback of c.onKill.splice(0)) callback();
  }

  async removeContainer(idOrName: string): Promise<void> {
    this.#check();
    if (this.removeFailure) throw this.removeFailure;
    const c = [...this.containers.values()].find((x) => x.id === idOrName || x.name === idOrName);
    if (!c) return;
    await this.killContainer(c.id);
    this.containers.delete(c.id);
    this.removed.push(c.id);
  }

  async listContainers(labels: string[]): Promise<ContainerSummary[]> {
    this.#check();
    return [...this.containers.values()]
      .filter((c) =>
        labels.every((filter) => {
          const [key = '', value] = filter.split('=');
          return value === undefined ? key in c.labels : c.labels[key] === value;
        }),
      )
      .map((c) => ({
        id: c.id,
        name: c.name,
        labels: c.labels,
        state: c.running ? 'running' : 'exited',
        createdMs: 0,
      }));
  }

  /** Adds a container as if another process had created it. */
  addForeign(name: string, labels: Record<string, string>): string {
    const id = `foreign-${name}`;
    this.containers.set(id, {
      id,
      name,
      options: {},
      labels,
      running: true,
      oomKilled: false,
      exitCode: null,
      execs: 0,
      onKill: [],
    });
    return id;
  }

  /** Marks a container OOM-killed (what the kernel and dockerd would do). */
  markOomKilled(id: string): void {
    this.#get(id).oomKilled = true;
  }

  #get(id: string): FakeContainer {
    this.#check();
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error(`No such container: ${id}`), { statusCode: 404 });
    return c;
  }

  #check(): void {
    if (this.unreachable)
      throw new EngineUnavailableError('Docker engine unreachable: connect ENOENT (fake)');
  }
}

const STREAMS = ['stdout', 'stderr'] as const;

function containerEnv(container: FakeContainer): string[] {
  return container.options.Env ?? [];
}
