/**
 * The contract between the HTTP layer and the sandboxes. POST /api/run picks
 * the runner named in the body from the app's deps and calls `run`; while it
 * runs, output goes to the sink (streamed to the client as SSE when asked
 * for), and the resolved RunResult is the answer. Runners throw HttpError
 * subclasses (src/errors.ts) for answers that are not results: 503 engine or
 * runner unavailable, 404 unknown session, 429 busy.
 */
import type { PoolHealth } from '../pools/pool-health.ts';
import type { OutputSink } from '../runs/output-sink.ts';
import type { RunSlot } from '../runs/run-queue.ts';
import type { RunResult } from '../runs/run-result.ts';

export type RunnerName = 'shell' | 'docker';

export interface RunInput {
  code: string;
  /** The requesting client's quota key (plugins/client-identity.ts). */
  client: string;
  /** Playground session id (docker runner). */
  session?: string | undefined;
}

export type { OutputSink, PoolHealth };

export interface Runner {
  /**
   * Runs one snippet. `signal` aborts when the client goes away: the runner
   * must then stop the work, kill and remove what it started, and reject.
   * The work that executes the snippet goes through `slot` (the run queue's
   * admission): whatever a run waits for first (its session) it waits for
   * without holding a slot.
   */
  run(input: RunInput, sink: OutputSink, signal: AbortSignal, slot: RunSlot): Promise<RunResult>;
  health(): PoolHealth;
  /** Stops background work and kills and removes every container the runner owns. */
  close(): Promise<void>;
}
