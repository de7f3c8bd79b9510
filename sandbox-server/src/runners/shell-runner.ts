/**
 * The `shell` runner: each snippet runs in its own hardened container
 * (shell-sandbox.ts) taken from a warm pool. A pooled container is already
 * running the snippet wrapper, and the server is already attached to its
 * stdio: a run writes the code to its stdin and reads the output until the
 * wrapper's exit trailers (snippet-protocol.ts) — no Docker API call lies on
 * that path. The code travels on stdin and is never written into the
 * container's file system. The container is then killed (so `sleep 999 &`
 * cannot outlive the run) and removed in the background. Wall time, output
 * cap and client abort are enforced by superviseRun, which stops a run by
 * killing its container. Whether the kernel killed a process for memory comes
 * in the same trailer, read by the wrapper from the container's memory cgroup;
 * only where it cannot read one (gVisor) is the container stopped first and
 * the engine's OOM events awaited, which costs ~40 ms a run.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Containers } from '../docker/containers.ts';
import {
  type Attachment,
  type ContainerState,
  type Engine,
  isStatus,
  type StreamName,
} from '../docker/engine.ts';
import { EngineUnavailableError, RunnerUnavailableError } from '../errors.ts';
import { ContainerPool } from '../pools/container-pool.ts';
import type { RunSlot } from '../runs/run-queue.ts';
import type { RunResult } from '../runs/run-result.ts';
import { encodeSnippetInput, SnippetOutput } from '../runs/snippet-protocol.ts';
import { superviseRun } from '../runs/supervise-run.ts';
import type { OutputSink, PoolHealth, RunInput, Runner } from './runner.ts';
import { type SandboxRuntime, shellContainerOptions } from './shell-sandbox.ts';

export const SHELL_ROLE = 'shell';
/** How long a killed container, or one whose output ended, may take to be seen stopped: 80 × 25 ms. */
const STOPPING_POLL_ATTEMPTS = 80;
const STOPPING_POLL_MS = 25;

/** A started shell sandbox whose wrapper waits for its snippet, with the server attached to its stdio. */
interface ArmedSandbox {
  id: string;
  attachment: Attachment;
}

class StaleContainerError extends Error {
  constructor() {
    super('warm container is gone');
  }
}

export interface ShellRunnerOptions {
  config: Config;
  engine: Engine;
  containers: Containers;
  log: FastifyBaseLogger;
}

export class ShellRunner implements Runner {
  readonly #config: Config;
  readonly #engine: Engine;
  readonly #containers: Containers;
  readonly #log: FastifyBaseLogger;
  readonly #pool: ContainerPool<ArmedSandbox>;
  #runtime: SandboxRuntime | undefined;

  constructor(options: ShellRunnerOptions) {
    this.#config = options.config;
    this.#engine = options.engine;
    this.#containers = options.containers;
    this.#log = options.log;
    this.#pool = new ContainerPool({
      size: options.config.shellPoolSize,
      // More parallel creates than runs at once only slow each other down on the engine.
      maxParallelStarts: options.config.runConcurrency,
      start: () => this.#startContainer(),
      destroy: (sandbox) => {
        sandbox.attachment.close();
        return this.#containers.destroy(sandbox.id);
      },
      describeError: (error) => this.#describeStartError(error),
      log: options.log,
    });
  }

  /** Starts filling the warm pool. */
  start(): void {
    this.#pool.start();
  }

  health(): PoolHealth {
    return this.#pool.health();
  }

  run(input: RunInput, sink: OutputSink, signal: AbortSignal, slot: RunSlot): Promise<RunResult> {
    return slot(() => this.#run(input, sink, signal));
  }

  async #run(input: RunInput, sink: OutputSink, signal: AbortSignal): Promise<RunResult> {
    try {
      return await this.#runIn(await this.#pool.acquire(signal), input, sink, signal);
    } catch (error) {
      // A warm container can die while it waits (e.g. the engine restarted): use a fresh one, once.
      if (!(error instanceof StaleContainerError)) throw error;
      this.#log.warn('a warm shell container was gone; running in a new one');
      return await this.#runIn(await this.#pool.acquire(signal), input, sink, signal);
    }
  }

  async #runIn(
    sandbox: ArmedSandbox,
    input: RunInput,
    sink: OutputSink,
    signal: AbortSignal,
  ): Promise<RunResult> {
    try {
      // A warm container can die while it waits (e.g. the engine restarted); the snippet is not sent.
      if (!sandbox.attachment.open) throw new StaleContainerError();
      let wrapperVerdict: boolean | undefined;
      const run = await superviseRun({
        timeoutMs: this.#config.runTimeoutMs,
        outputLimitBytes: this.#config.runOutputLimitBytes,
        sink,
        signal,
        execute: async (onOutput, runSignal) => {
          const { exitCode, oomKilled } = await this.#execute(sandbox, input.code, onOutput, runSignal);
          wrapperVerdict = oomKilled;
          return { exitCode };
        },
        stop: () => this.#engine.killContainer(sandbox.id),
      });
      // The wrapper's verdict was read after the snippet's shell exited, so it covers the run. Without one
      // (stopped at a limit, no cgroup file to read, no report) the engine answers.
      return { ...run, oomKilled: wrapperVerdict ?? (await this.#wasOomKilled(sandbox.id)) };
    } finally {
      // The answer does not wait for the removal; the container stays tracked until it is gone.
      void this.#pool.release(sandbox);
    }
  }

  /** Sends the snippet; settles when the wrapper reported its exit, or when the container's output ended. */
  async #execute(
    sandbox: ArmedSandbox,
    code: string,
    onOutput: (stream: StreamName, chunk: Buffer) => void,
    signal: AbortSignal,
  ): Promise<{ exitCode: number | null; oomKilled: boolean | undefined }> {
    const nonce = randomBytes(16).toString('hex');
    const output = new SnippetOutput(nonce, onOutput);
    const reading = sandbox.attachment.read((stream, chunk) => output.write(stream, chunk), signal);
    sandbox.attachment.send(encodeSnippetInput(nonce, code));
    const reported = await Promise.race([
      output.report,
      reading.then(() => {
        output.end();
        return null;
      }),
    ]);
    if (reported !== null) return { exitCode: reported.status, oomKilled: reported.oomKilled };
    // No report: the wrapper was killed or the container died. Its exit code is the best there is.
    const exitCode = (await this.#stateOnceStopped(sandbox.id))?.exitCode ?? null;
    return { exitCode, oomKilled: undefined };
  }

  /**
   * The state of a container that is stopping, once it has stopped (null: gone, or still running
   * after the polls). Inspect, not the engine's `wait`: dockerode never settles a wait whose
   * connection breaks (an engine restart), inspect fails.
   */
  async #stateOnceStopped(id: string): Promise<ContainerState | null> {
    for (let attempt = 0; attempt < STOPPING_POLL_ATTEMPTS; attempt++) {
      const state = await this.#engine.inspectContainer(id);
      if (state === null || !state.running) return state;
      await sleep(STOPPING_POLL_MS);
    }
    return null;
  }

  /**
   * For a run the wrapper gave no memory verdict for. The container is fresh, so any OOM in its life
   * happened during this run. The engine's `oom` events can reach the server after the run's output,
   * but come before the container's exit: the container is stopped now (it is removed next anyway) and
   * its exit awaited. Without the event stream, the engine's record of the stopped container answers.
   */
  async #wasOomKilled(id: string): Promise<boolean> {
    try {
      const reported = await this.#engine.killAndReportOom(id);
      if (reported !== null) return reported;
      await this.#engine.killContainer(id);
      return (await this.#stateOnceStopped(id))?.oomKilled ?? false;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #startContainer(): Promise<ArmedSandbox> {
    const runtime = await this.#resolveRuntime();
    const id = await this.#containers.create(SHELL_ROLE, shellContainerOptions(this.#config, runtime));
    let attachment: Attachment | undefined;
    try {
      attachment = await this.#engine.attachContainer(id);
      await this.#engine.startContainer(id);
      return { id, attachment };
    } catch (error) {
      attachment?.close();
      await this.#containers.destroy(id);
      throw error;
    }
  }

  /** `auto` picks gVisor when the engine has it; decided once, when the engine first answers. */
  async #resolveRuntime(): Promise<SandboxRuntime> {
    if (this.#runtime !== undefined) return this.#runtime;
    const setting = this.#config.sandboxRuntime;
    if (setting === 'auto') {
      const { runtimes } = await this.#engine.info();
      this.#runtime = runtimes.includes('runsc') ? 'runsc' : 'runc';
    } else {
      this.#runtime = setting;
    }
    this.#log.info({ runtime: this.#runtime }, 'shell sandboxes use this container runtime');
    return this.#runtime;
  }

  #describeStartError(error: unknown): Error {
    if (error instanceof EngineUnavailableError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (isStatus(error, 404) && /image/i.test(message)) {
      return new RunnerUnavailableError(
        `shell image ${this.#config.shellImage} is missing; build it with \`npm run images\``,
      );
    }
    return new RunnerUnavailableError(`shell sandbox cannot start: ${message}`);
  }
}
