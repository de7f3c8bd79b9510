/**
 * Admission control for runs: at most `concurrency` execute at once, at most
 * `queueLimit` wait for a slot (first come, first served), and anything
 * beyond is refused at once with BusyError (429 + Retry-After) instead of
 * piling up. A waiter whose client goes away leaves the queue.
 */
import { BusyError } from '../errors.ts';

export interface RunQueueOptions {
  concurrency: number;
  queueLimit: number;
  /** Used for Retry-After until real run durations have been seen. */
  expectedRunMs: number;
}

interface Waiter {
  start: () => void;
}

/** Weight of the newest duration in the moving average used for Retry-After. */
const DURATION_SMOOTHING = 0.2;

export class RunQueue {
  readonly #concurrency: number;
  readonly #queueLimit: number;
  readonly #waiters: Waiter[] = [];
  #running = 0;
  #averageRunMs: number;

  constructor(options: RunQueueOptions) {
    this.#concurrency = options.concurrency;
    this.#queueLimit = options.queueLimit;
    this.#averageRunMs = options.expectedRunMs;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Runs `task` when a slot is free; rejects with BusyError when the queue is full. */
  async schedule<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    if (this.#running >= this.#concurrency) await this.#wait(signal);
    else this.#running++;
    const startedMs = performance.now();
    try {
      return await task();
    } finally {
      const tookMs = performance.now() - startedMs;
      this.#averageRunMs += DURATION_SMOOTHING * (tookMs - this.#averageRunMs);
      this.#release();
    }
  }

  #wait(signal: AbortSignal): Promise<void> {
    if (this.#waiters.length >= this.#queueLimit) {
      const rounds = Math.ceil((this.#waiters.length + 1) / this.#concurrency);
      const retryAfterS = Math.max(1, Math.ceil((rounds * this.#averageRunMs) / 1000));
      throw new BusyError(
        `too many runs in progress (${this.#running} running, ${this.#waiters.length} waiting); retry later`,
        retryAfterS,
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Hands the slot straight to the next waiter, or frees it. */
  #release(): void {
    const next = this.#waiters.shift();
    if (next) next.start();
    else this.#running--;
  }
}
