/**
 * Draining a node before it stops (SIGTERM: a rolling update, a scale-down, a host going away):
 * 1. /api/health/ready answers 503 "draining", so the load balancer stops sending new work here;
 * 2. new sessions are refused with 503 (a load balancer that retries 503 sends them to another node);
 * 3. runs in flight — and runs that still arrive for the sessions held here — get up to
 *    DRAIN_TIMEOUT_MS to finish;
 * 4. the sessions end the way any session ends: terminals close with 4004 and this notice, the next run
 *    of a Run button gets the "session ended" answer and starts a new session on another node.
 * Then the server closes as before (app.close(): remaining runs stopped, containers removed).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { SessionStore } from '../playground/session-store.ts';
import type { RunQueue } from '../runs/run-queue.ts';

/** Shown in the terminal as it closes; a WebSocket close reason holds at most 123 bytes. */
export const DRAIN_NOTICE =
  'this server is shutting down: the playground ended; a new one starts on the next run';
const REFUSAL =
  'this node is shutting down and takes no new sessions; try again: the load balancer sends you to another node';

export interface DrainOptions {
  queue: RunQueue;
  sessions: SessionStore | undefined;
  timeoutMs: number;
  log: FastifyBaseLogger;
}

export class Drain {
  readonly #options: DrainOptions;
  #started: Promise<void> | undefined;

  constructor(options: DrainOptions) {
    this.#options = options;
  }

  get draining(): boolean {
    return this.#started !== undefined;
  }

  /** Starts draining (once); settles when the sessions have ended. */
  run(): Promise<void> {
    this.#started ??= this.#drain();
    return this.#started;
  }

  async #drain(): Promise<void> {
    const { queue, sessions, timeoutMs, log } = this.#options;
    sessions?.refuseNew(REFUSAL);
    log.info({ timeoutMs }, 'draining: not ready, no new sessions, waiting for runs in flight');
    const timeout = new AbortController();
    const finished = await Promise.race([
      queue.idle().then(() => true),
      sleep(timeoutMs, false, { signal: timeout.signal }).catch(() => false),
    ]);
    timeout.abort();
    if (!finished) log.warn('draining: runs still in flight at the timeout; they will be stopped');
    await sessions?.close(DRAIN_NOTICE);
    log.info('drained: sessions ended');
  }
}
