/**
 * Boots playgrounds and keeps a few booted ones warm (ContainerPool: never reused, refilled in the
 * background). A playground counts as booted when its inner daemon answers, and — the first time —
 * when the offline catalog is visible in it, so a missing catalog volume is reported instead of
 * silently giving readers an empty Docker host. A booted playground comes with its run channel
 * (run-channel.ts) already open, so its first run costs no `docker exec`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Containers } from '../docker/containers.ts';
import { type Engine, isStatus } from '../docker/engine.ts';
import { EngineUnavailableError, RunnerUnavailableError } from '../errors.ts';
import { playgroundBootSeconds, timed } from '../observability/metrics.ts';
import { ContainerPool } from '../pools/container-pool.ts';
import type { PoolHealth } from '../pools/pool-health.ts';
import { CATALOG_PROBE_IMAGE } from './catalog.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC, playgroundContainerOptions } from './playground-container.ts';
import { RunChannel } from './run-channel.ts';
import type { PlaygroundSource } from './session-store.ts';

export const PLAYGROUND_ROLE = 'playground';
/** A playground whose daemon has not answered by then is given up on. */
export const PLAYGROUND_BOOT_TIMEOUT_MS = 30_000;
const BOOT_POLL_MS = 100;
/** A new session's first run (typically `docker ps`, ~0.2 s) goes first; then the replacement boots. */
export const REPLACE_AFTER_ACQUIRE_MS = 2_000;

export interface PlaygroundPoolOptions {
  config: Config;
  engine: Engine;
  containers: Containers;
  log: FastifyBaseLogger;
}

export class PlaygroundPool implements PlaygroundSource {
  readonly #config: Config;
  readonly #engine: Engine;
  readonly #containers: Containers;
  readonly #pool: ContainerPool<string>;
  /** The run channel of every playground this pool booted and has not destroyed. */
  readonly #channels = new Map<string, Promise<RunChannel>>();
  #catalogVerified = false;

  constructor(options: PlaygroundPoolOptions) {
    this.#config = options.config;
    this.#engine = options.engine;
    this.#containers = options.containers;
    this.#pool = new ContainerPool({
      size: options.config.playgroundPoolSize,
      // Each boot keeps a core busy for a second or so; more at once only slows every one of them.
      maxParallelStarts: 2,
      // A session keeps its playground for up to its maximum lifetime: replace it soon, not at the release.
      replaceAfterAcquireMs: REPLACE_AFTER_ACQUIRE_MS,
      start: (signal) =>
        timed(
          (seconds) => playgroundBootSeconds.observe(seconds),
          () => this.boot(signal),
        ),
      destroy: (id) => this.#destroy(id),
      describeError: (error) => describeBootError(error, options.config),
      log: options.log,
    });
  }

  start(): void {
    this.#pool.start();
  }

  health(): PoolHealth {
    return this.#pool.health();
  }

  acquire(signal: AbortSignal): Promise<string> {
    return this.#pool.acquire(signal);
  }

  release(id: string): Promise<void> {
    return this.#pool.release(id);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** The playground's open run channel; a new one if the last one ended (playground-serve killed). */
  async channel(id: string): Promise<RunChannel> {
    const existing = this.#channels.get(id);
    if (existing !== undefined) {
      const channel = await existing.catch(() => undefined);
      if (channel?.open) return channel;
    }
    const opening = RunChannel.open(this.#engine, id);
    this.#channels.set(id, opening);
    return opening;
  }

  /**
   * Creates and starts a playground and waits until its daemon (and catalog) can be used. Aborting
   * `signal` (the pool closing) stops the wait and removes the playground.
   */
  async boot(signal: AbortSignal): Promise<string> {
    const id = await this.#containers.create(PLAYGROUND_ROLE, playgroundContainerOptions(this.#config));
    try {
      await this.#engine.startContainer(id);
      await this.#waitForDaemon(id, signal);
      if (!this.#catalogVerified && this.#config.playgroundCatalogVolume !== '') {
        const found = await this.#execQuiet(id, ['docker', 'image', 'inspect', CATALOG_PROBE_IMAGE]);
        if (found !== 0) {
          throw new RunnerUnavailableError(
            `the playground catalog (volume ${this.#config.playgroundCatalogVolume}) is missing or empty; ` +
              'build it with `npm run images`',
          );
        }
        this.#catalogVerified = true;
      }
      await this.channel(id);
      return id;
    } catch (error) {
      await this.#destroy(id);
      throw error;
    }
  }

  async #destroy(id: string): Promise<void> {
    const channel = this.#channels.get(id);
    this.#channels.delete(id);
    (await channel?.catch(() => undefined))?.close();
    await this.#containers.destroy(id);
  }

  async #waitForDaemon(id: string, signal: AbortSignal): Promise<void> {
    const deadlineMs = performance.now() + PLAYGROUND_BOOT_TIMEOUT_MS;
    while (performance.now() < deadlineMs) {
      signal.throwIfAborted();
      if ((await this.#execQuiet(id, ['docker', 'version', '--format', '{{.Server.Version}}'])) === 0) return;
      const state = await this.#engine.inspectContainer(id);
      if (!state?.running) throw new RunnerUnavailableError('a playground stopped while booting');
      await sleep(BOOT_POLL_MS);
    }
    throw new RunnerUnavailableError(
      `a playground's Docker daemon did not answer within ${PLAYGROUND_BOOT_TIMEOUT_MS} ms`,
    );
  }

  async #execQuiet(id: string, cmd: string[]): Promise<number | null> {
    const { exitCode } = await this.#engine.exec(id, {
      cmd: [PLAYGROUND_EXEC, ...cmd],
      env: [...PLAYGROUND_ENV],
      onOutput: () => {},
    });
    return exitCode;
  }
}

function describeBootError(error: unknown, config: Config): Error {
  if (error instanceof EngineUnavailableError || error instanceof RunnerUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isStatus(error, 404) && /image/i.test(message)) {
    return new RunnerUnavailableError(
      `playground image ${config.playgroundImage} is missing; build it with \`npm run images\``,
    );
  }
  return new RunnerUnavailableError(`playground cannot start: ${message}`);
}
