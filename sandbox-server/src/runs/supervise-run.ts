/**
 * Enforces the limits every run shares, whatever executes it: wall time,
 * output cap, and the client going away. The caller supplies `execute`
 * (starts the code and settles when its output ends) and `stop` (kills what
 * runs the code, which must make `execute` settle). When a limit hits, the
 * run is stopped and answered within STOP_GRACE_MS even if the engine is slow
 * to confirm the kill; the caller removes its container afterwards anyway.
 */
import type { StreamName } from '../docker/demux.ts';
import type { OutputSink } from '../runners/runner.ts';
import { OutputCapture } from './output-capture.ts';

/** How long a stopped run may take to end before we stop waiting for it. */
export const STOP_GRACE_MS = 600;

export interface SupervisedRunOptions {
  timeoutMs: number;
  outputLimitBytes: number;
  sink: OutputSink;
  /** The client's signal: aborting stops the run and rejects with its reason. */
  signal: AbortSignal;
  execute: (
    onOutput: (stream: StreamName, chunk: Buffer) => void,
    signal: AbortSignal,
  ) => Promise<{ exitCode: number | null }>;
  stop: () => Promise<void>;
}

export interface SupervisedRun {
  stdout: string;
  stderr: string;
  /** null when the run was stopped before the code exited. */
  exitCode: number | null;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export async function superviseRun(options: SupervisedRunOptions): Promise<SupervisedRun> {
  const startedMs = performance.now();
  const giveUp = new AbortController();
  let stopped = false;
  let timedOut = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    options.stop().catch(() => {
      // The engine may be gone; the caller's cleanup and the reaper deal with the container.
    });
    setTimeout(() => giveUp.abort(new Error('run did not end after it was stopped')), STOP_GRACE_MS).unref();
  };

  const capture = new OutputCapture(options.outputLimitBytes, options.sink, stop);
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  const onClientAbort = () => stop();
  options.signal.addEventListener('abort', onClientAbort, { once: true });

  try {
    let exitCode: number | null = null;
    try {
      ({ exitCode } = await options.execute((stream, chunk) => capture.write(stream, chunk), giveUp.signal));
    } catch (error) {
      // Reading was cut short because we stopped the run; anything else is a real failure.
      if (!stopped) throw error;
    }
    options.signal.throwIfAborted();
    const { stdout, stderr } = capture.finish();
    return {
      stdout,
      stderr,
      exitCode: stopped ? null : exitCode,
      timedOut,
      truncated: capture.truncated,
      durationMs: Math.round(performance.now() - startedMs),
    };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onClientAbort);
  }
}
