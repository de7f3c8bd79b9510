/**
 * Whether an exercise's verify script behaves both ways: in an untouched playground it must fail
 * (with a hint for the reader), after the reference solution it must pass.
 */
import { verifyHint } from '../../../site/exercises/verify-hint.ts';
import type { Verdict } from './check-result.ts';
import type { RunResult } from './sandbox-client.ts';

function limitProblems(result: RunResult): string[] {
  const problems: string[] = [];
  if (result.timedOut) problems.push('the verify script hit the wall-time limit: keep its waits bounded');
  if (result.oomKilled) problems.push('the verify script was killed: out of memory');
  return problems;
}

/** The verify script run before anything was done: a clean failure that says what is missing. */
export function checkUntouched(result: RunResult): Verdict {
  const problems = limitProblems(result);
  if (problems.length === 0) {
    if (result.exitCode === 0) problems.push('untouched playground: the verify script passed, it must fail');
    else if (result.exitCode === null) problems.push('untouched playground: the verify script was killed');
    else if (verifyHint(result.stdout, result.stderr) === undefined)
      problems.push('untouched playground: the verify script failed without printing a hint');
  }
  return { passed: problems.length === 0, problems };
}

/** The verify script run after the reference solution: it must pass. */
export function checkSolved(result: RunResult): Verdict {
  const problems = limitProblems(result);
  if (problems.length === 0 && result.exitCode !== 0) {
    const hint = verifyHint(result.stdout, result.stderr);
    problems.push(
      `after the reference solution: the verify script exited ${result.exitCode ?? 'without a code'}, expected 0${hint ? ` (hint: ${hint})` : ''}`,
    );
  }
  return { passed: problems.length === 0, problems };
}
