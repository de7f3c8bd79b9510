/**
 * A warm pool of pre-started, never-reused containers. An item is whatever
 * `start` returns for one container (its id, or the id with a connection to
 * it). `acquire` hands out a running container that is then the caller's alone (it runs one snippet and
 * is destroyed); the pool refills in the background. With `size` 0 nothing
 * is kept warm and every acquire starts a fresh container — the slow path the
 * pool exists to avoid, kept for comparison and as a fallback.
 *
 * Starts are demand-driven: the pool keeps `ready + starting` at `size` plus
 * the number of callers waiting, with at most `maxParallelStarts` creations
 * at once (parallel creates on a small machine only slow each other down).
 * A taken container is replaced when it is released, not when it is taken:
 * engine work for the replacement would otherwise slow down the run itself.
 * When creating fails, the error is reported to one waiting caller (never a
 * hang) and to health, and refilling backs off.
 */
import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from '../errors.ts';
import { WaiterQueue } from '../waiter-queue.ts';
import type { PoolHealth } from './pool-health.ts';

export interface ContainerPoolOptions<Item> {
  size: number;
  maxParallelStarts: number;
  /**
   * Creates and starts one container; returns its item. `signal` aborts when the
   * pool closes: a long start (waiting for a daemon inside) should stop waiting,
   * remove what it created and reject, so shutdown does not wait for it.
   */
  start: (signal: AbortSignal) => Promise<Item>;
  /** Kills and removes a container; never throws. */
  destroy: (item: Item) => Promise<void>;
  /** Turns a start failure into the error a waiting caller gets (and health shows). */
  describeError?: (error: unknown) => Error;
  /**
   * Start the replacement this long after a container is taken rather than when it is released: for
   * containers held long (playground sessions, up to SESSION_MAX_LIFETIME_MS), where waiting for the release
   * would leave the next caller without a warm one. The delay keeps the replacement's start from competing
   * with the caller's first exec.
   */
  replaceAfterAcquireMs?: number;
  log: FastifyBaseLogger;
}

const RETRY_INITIAL_MS = 500;
const RETRY_MAX_MS = 30_000;

export class ContainerPool<Item> {
  readonly #options: ContainerPoolOptions<Item>;
  readonly #ready: Item[] = [];
  readonly #waiters = new WaiterQueue<undefined, Item>();
  #starting = 0;
  #inUse = 0;
  #closed = false;
  readonly #closing = new AbortController();
  #lastError: Error | undefined;
  #retryDelayMs = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #pendingStarts = new Set<Promise<void>>();
  /** Removals of containers that finished starting after close, awaited by close. */
  readonly #closingDestroys: Promise<void>[] = [];

  constructor(options: ContainerPoolOptions<Item>) {
    this.#options = options;
  }

  /** Begins filling the pool. */
  start(): void {
    this.#fill();
  }

  health(): PoolHealth {
    return {
      target: this.#options.size,
      ready: this.#ready.length,
      starting: this.#starting,
      inUse: this.#inUse,
      ...(this.#lastError === undefined ? {} : { error: this.#lastError.message }),
    };
  }

  /** A running container for the caller alone; `release` it when done. */
  async acquire(signal: AbortSignal): Promise<Item> {
    signal.throwIfAborted();
    if (this.#closed) throw new Error('pool is closed');
    const ready = this.#ready.shift();
    if (ready !== undefined) {
      this.#inUse++;
      // The replacement is started on release: creating it now would compete with this run's exec.
      const { replaceAfterAcquireMs } = this.#options;
      if (replaceAfterAcquireMs !== undefined) setTimeout(() => this.#fill(), replaceAfterAcquireMs).unref();
      return ready;
    }
    const handedOut = this.#waiters.wait(undefined, signal);
    this.#fill();
    return await handedOut;
  }

  /** Destroys a container handed out by `acquire`. */
  async release(item: Item): Promise<void> {
    this.#inUse--;
    this.#fill();
    await this.#options.destroy(item);
  }

  /** Stops refilling, fails waiting callers, and destroys every container the pool holds. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort(new Error('pool is closing'));
    clearTimeout(this.#retryTimer);
    this.#waiters.rejectAll(new Error('server is shutting down'));
    await Promise.all([...this.#pendingStarts]);
    await Promise.all([
      ...this.#closingDestroys,
      ...this.#ready.splice(0).map((item) => this.#options.destroy(item)),
    ]);
  }

  #fill(): void {
    if (this.#closed) return;
    // While backing off, only callers that are waiting get a start attempt, so they fail (or succeed) now.
    const warm = this.#retryTimer === undefined ? this.#options.size : 0;
    const wanted = warm + this.#waiters.length;
    while (this.#ready.length + this.#starting < wanted && this.#starting < this.#options.maxParallelStarts) {
      this.#startOne();
    }
  }

  #startOne(): void {
    this.#starting++;
    const pending = this.#options
      .start(this.#closing.signal)
      .then(
        (item) => this.#onStarted(item),
        (error: unknown) => this.#onStartFailed(error),
      )
      .finally(() => {
        this.#pendingStarts.delete(pending);
      });
    this.#pendingStarts.add(pending);
  }

  #onStarted(item: Item): void {
    this.#starting--;
    this.#lastError = undefined;
    this.#retryDelayMs = 0;
    if (this.#closed) {
      this.#closingDestroys.push(this.#options.destroy(item));
      return;
    }
    if (this.#waiters.length > 0) {
      this.#inUse++;
      this.#waiters.resolveFirst(item);
    } else {
      this.#ready.push(item);
    }
    this.#fill();
  }

  #onStartFailed(error: unknown): void {
    this.#starting--;
    if (this.#closed) return;
    const described = this.#options.describeError?.(error) ?? (error as Error);
    if (this.#lastError?.message !== described.message) {
      // Expected conditions (engine down, image missing) already say what to do: one line, no stack.
      const details = described instanceof HttpError ? {} : { err: error };
      this.#options.log.warn(details, `sandbox pool cannot start containers: ${described.message}`);
    }
    this.#lastError = described;
    // Callers waiting now get the error rather than waiting for a retry that may never succeed.
    this.#waiters.rejectAll(described);
    if (this.#retryTimer !== undefined) return;
    this.#retryDelayMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_INITIAL_MS, this.#retryDelayMs * 2));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#fill();
    }, this.#retryDelayMs);
    this.#retryTimer.unref();
  }
}
