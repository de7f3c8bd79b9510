/**
 * Admission control for runs, fair between clients:
 * - A client may have at most `perClientConcurrency + perClientQueueLimit` runs in progress (running,
 *   waiting for a slot, or waiting for its session); beyond that its next request is refused at once.
 * - At most `concurrency` runs execute at once, and at most `perClientConcurrency` of them belong to
 *   one client; a freed slot goes to a waiting run of the client with the fewest runs executing, so
 *   a flooding client cannot push everyone else's runs back.
 * - At most `queueLimit` runs wait for a slot; anything beyond is refused at once (BusyError: 429 +
 *   Retry-After) instead of piling up. A waiter whose client goes away leaves the queue.
 * A run takes a slot only when it can start (`slot`): a run waiting for its session's earlier runs holds
 * its client's admission but no global slot.
 * A client's runs in progress are counted in SharedCounters, so that share holds across the nodes of a
 * cluster (REDIS_URL); the slots and their fair sharing are this node's own capacity.
 */

import type { SharedCounters } from '../counters/counters.ts';
import { BusyError } from '../errors.ts';
import { WaiterQueue } from '../waiter-queue.ts';

export interface RunQueueOptions {
  concurrency: number;
  queueLimit: number;
  perClientConcurrency: number;
  perClientQueueLimit: number;
  /** Used for Retry-After until real run durations have been seen. */
  expectedRunMs: number;
  counters: SharedCounters;
}

/** Runs `task` once a run slot is free for this client; the slot is released when it settles. */
export type RunSlot = <T>(task: () => Promise<T>) => Promise<T>;

export interface Admission {
  /** Takes a slot for the task; rejects with the signal's reason if it aborts while waiting. */
  slot<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T>;
  /** The request is over (answered or failed). */
  release(): void;
}

interface ClientState {
  admitted: number;
  running: number;
}

/** Weight of the newest duration in the moving average used for Retry-After. */
const DURATION_SMOOTHING = 0.2;

export class RunQueue {
  readonly #options: RunQueueOptions;
  /** Runs waiting for a slot, by client. */
  readonly #waiters = new WaiterQueue<string, void>();
  readonly #clients = new Map<string, ClientState>();
  #running = 0;
  /** Run requests admitted and not yet answered, on this node. */
  #inProgress = 0;
  #whenIdle: Array<() => void> = [];
  #averageRunMs: number;

  constructor(options: RunQueueOptions) {
    this.#options = options;
    this.#averageRunMs = options.expectedRunMs;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Settles once no admitted run is in progress on this node (at once if none is). */
  idle(): Promise<void> {
    if (this.#inProgress === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /** Counts one run request of `client`; BusyError when the client already has its share in progress. */
  async admit(client: string): Promise<Admission> {
    const { perClientConcurrency, perClientQueueLimit, counters } = this.#options;
    const share = perClientConcurrency + perClientQueueLimit;
    const quota = await counters.acquire(`runs:${client}`, share);
    if (quota === null) {
      throw new BusyError(
        `this client already has ${share} runs in progress; wait for them to finish`,
        this.#retryAfterS(1),
      );
    }
    const state = this.#clients.get(client) ?? { admitted: 0, running: 0 };
    this.#inProgress++;
    state.admitted++;
    this.#clients.set(client, state);
    let released = false;
    return {
      slot: (task, signal) => this.#schedule(client, state, task, signal),
      release: () => {
        if (released) return;
        released = true;
        void quota.release();
        this.#inProgress--;
        if (this.#inProgress === 0) for (const resolve of this.#whenIdle.splice(0)) resolve();
        state.admitted--;
        if (state.admitted === 0 && state.running === 0) this.#clients.delete(client);
      },
    };
  }

  async #schedule<T>(
    client: string,
    state: ClientState,
    task: () => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    signal.throwIfAborted();
    if (this.#canStart(state)) this.#take(state);
    else await this.#wait(client, signal);
    const startedMs = performance.now();
    try {
      return await task();
    } finally {
      const tookMs = performance.now() - startedMs;
      this.#averageRunMs += DURATION_SMOOTHING * (tookMs - this.#averageRunMs);
      this.#running--;
      state.running--;
      this.#dispatch();
    }
  }

  #canStart(state: ClientState): boolean {
    return this.#running < this.#options.concurrency && state.running < this.#options.perClientConcurrency;
  }

  #take(state: ClientState): void {
    this.#running++;
    state.running++;
  }

  #wait(client: string, signal: AbortSignal): Promise<void> {
    if (this.#waiters.length >= this.#options.queueLimit) {
      throw new BusyError(
        `too many runs in progress (${this.#running} running, ${this.#waiters.length} waiting); retry later`,
        this.#retryAfterS(this.#waiters.length + 1),
      );
    }
    return this.#waiters.wait(client, signal);
  }

  /**
   * Hands free slots out, each to a waiting run of the client with the fewest runs executing (the
   * longest-waiting one among equals), never beyond a client's share: a reader with nothing running
   * goes before the next run of a client that already has some.
   */
  #dispatch(): void {
    while (this.#running < this.#options.concurrency) {
      let best: { index: number; state: ClientState } | undefined;
      for (const [index, client] of this.#waiters.entries()) {
        const state = this.#clients.get(client);
        if (state === undefined || !this.#canStart(state)) continue;
        if (best === undefined || state.running < best.state.running) best = { index, state };
      }
      if (best === undefined) return;
      this.#take(best.state);
      this.#waiters.resolveAt(best.index, undefined);
    }
  }

  #retryAfterS(waitingAhead: number): number {
    const rounds = Math.ceil(waitingAhead / this.#options.concurrency);
    return Math.max(1, Math.ceil((rounds * this.#averageRunMs) / 1000));
  }
}
