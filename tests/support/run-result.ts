import type { RunResult } from '../../scripts/lib/doctest/sandbox-client.ts';

/** A successful run's result, with what a test wants different. */
export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    stdout: '',
    stderr: '',
    exitCode: 0,
    timedOut: false,
    truncated: false,
    oomKilled: false,
    durationMs: 200,
    ...overrides,
  };
}
