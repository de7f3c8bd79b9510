/**
 * The `shell` runner: each snippet runs in its own hardened container
 * (shell-sandbox.ts) taken from a warm pool, through one `exec` of
 * `bash -c <code>` — the code travels as an argument and is never written
 * into the container's file system. The run is done when that bash exits:
 * the container is then killed (so `sleep 999 &` cannot outlive it) and
 * removed in the background. Wall time, output cap and client abort are
 * enforced by superviseRun, which stops a run by killing its container.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Containers } from '../docker/containers.ts';
import { type Engine, isStatus } from '../docker/engine.ts';
import { EngineUnavailableError, RunnerUnavailableError } from '../errors.ts';
import type { RunResult } from '../runs/run-result.ts';
import { superviseRun } from '../runs/supervise-run.ts';
import { ContainerPool } from './container-pool.ts';
import type { OutputSink, PoolHealth, RunInput, Runner } from './runner.ts';
import {
  SANDBOX_ENV,
  SANDBOX_HOME,
  SANDBOX_USER,
  type SandboxRuntime,
  shellContainerOptions,
} from './shell-sandbox.ts';

export const SHELL_ROLE = 'shell';
/**
 * After the shell is seen to exit, how long its output may take to arrive
 * before the container is killed. The exit status can travel faster than the
 * last output (notably under gVisor).
 */
const EXITED_OUTPUT_GRACE_MS = 250;

class StaleContainerError extends Error {
  constructor(cause: unknown) {
    super('warm container is gone', { cause });
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
  readonly #pool: ContainerPool;
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
      destroy: (id) => this.#containers.destroy(id),
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

  async run(input: RunInput, sink: OutputSink, signal: AbortSignal): Promise<RunResult> {
    try {
      return await this.#runIn(await this.#pool.acquire(signal), input, sink, signal);
    } catch (error) {
      // A warm container can die while it waits (e.g. the engine restarted): use a fresh one, once.
      if (!(error instanceof StaleContainerError)) throw error;
      this.#log.warn('a warm shell container was gone; running in a new one');
      return await this.#runIn(await this.#pool.acquire(signal), input, sink, signal);
    }
  }

  async #runIn(id: string, input: RunInput, sink: OutputSink, signal: AbortSignal): Promise<RunResult> {
    let lingering: NodeJS.Timeout | undefined;
    try {
      const run = await superviseRun({
        timeoutMs: this.#config.runTimeoutMs,
        outputLimitBytes: this.#config.runOutputLimitBytes,
        sink,
        signal,
        execute: (onOutput, execSignal) =>
          this.#engine
            .exec(id, {
              cmd: ['bash', '-c', input.code],
              user: SANDBOX_USER,
              env: [...SANDBOX_ENV],
              workingDir: SANDBOX_HOME,
              onOutput,
              // The shell exited but its output is still open: background processes hold it. The run
              // ends with the shell; what it printed may still be on its way, so kill after a grace.
              onExit: () => {
                lingering = setTimeout(
                  () => void this.#engine.killContainer(id).catch(() => {}),
                  EXITED_OUTPUT_GRACE_MS,
                );
              },
              signal: execSignal,
            })
            .catch((error: unknown) => {
              // 404: no such container; 409: it is not running. Either way the snippet never started.
              if (isStatus(error, 404) || isStatus(error, 409)) throw new StaleContainerError(error);
              throw error;
            }),
        stop: () => this.#engine.killContainer(id),
      });
      return { ...run, oomKilled: await this.#wasOomKilled(id) };
    } finally {
      clearTimeout(lingering);
      // The answer does not wait for the removal; the container stays tracked until it is gone.
      void this.#pool.release(id);
    }
  }

  /** The container is fresh, so any OOM kill in its life happened during this run. */
  async #wasOomKilled(id: string): Promise<boolean> {
    const count = await this.#engine.oomKillCount(id);
    if (count !== null) return count > 0;
    // The engine records an OOM kill only when the container stops: stop it, then ask (slower).
    try {
      await this.#engine.killContainer(id);
      return (await this.#engine.inspectContainer(id))?.oomKilled ?? false;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #startContainer(): Promise<string> {
    const runtime = await this.#resolveRuntime();
    const id = await this.#containers.create(SHELL_ROLE, shellContainerOptions(this.#config, runtime));
    try {
      await this.#engine.startContainer(id);
    } catch (error) {
      await this.#containers.destroy(id);
      throw error;
    }
    return id;
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
