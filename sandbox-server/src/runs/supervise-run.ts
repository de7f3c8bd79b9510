/**
 * Enforces the limits every run shares, whatever executes it: wall time,
 * output cap, and the client going away. The caller supplies `execute`
 * (starts the code and settles when its output ends, or rejects when its
 * signal aborts) and `stop` (kills what runs the code). When a limit hits,
 * reading stops at once and `stop` is fired without waiting for the engine to
 * confirm: the answer does not depend on how fast a kill is, and a flood of
 * output is not read (and dropped) while the kill is on its way. The caller
 * removes its container afterwards anyway.
 */
import type { StreamName } from '../docker/demux.ts';
import { OutputCapture } from './output-capture.ts';
import type { OutputSink } from './output-sink.ts';

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
    giveUp.abort(new Error('run stopped'));
    options.stop().catch(() => {
      // The engine may be gone; the caller's cleanup and the reaper deal with the container.
    });
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
