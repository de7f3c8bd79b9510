/**
 * Checks a page's exercises both ways in a playground of their own, fresh from the page's other
 * blocks: first every verify script must fail in the untouched playground, then, exercise by
 * exercise in page order, the reference solution must run as its blocks promise and the verify
 * script must pass after it (as for a reader who solves them in order).
 */
import { checkResult, type Verdict } from './check-result.ts';
import { checkSolved, checkUntouched } from './exercise-check.ts';
import type { Page, PageExercise } from './pages.ts';
import type { BlockOutcome } from './run-pages.ts';
import { type RunResult, SandboxApiError, type SandboxClient } from './sandbox-client.ts';

function describeError(error: unknown): string {
  return error instanceof SandboxApiError || error instanceof Error ? error.message : String(error);
}

export async function runExercises(client: SandboxClient, page: Page): Promise<BlockOutcome[]> {
  if (page.exercises.length === 0) return [];
  const outcomes: BlockOutcome[] = [];
  const fail = (exercise: PageExercise, problem: string): BlockOutcome => ({
    page,
    block: exercise.verify,
    index: 0,
    passed: false,
    problems: [`exercise "${exercise.id}": ${problem}`],
  });
  let session: string;
  try {
    session = await client.createSession();
  } catch (error) {
    return page.exercises.map((exercise) => fail(exercise, `no playground session: ${describeError(error)}`));
  }
  const run = async (
    exercise: PageExercise,
    block: PageExercise['verify'],
    check: (result: RunResult) => Verdict,
  ): Promise<BlockOutcome> => {
    try {
      const result = await client.run('docker', block.spec.command, session);
      const verdict = check(result);
      return {
        page,
        block,
        index: 0,
        ...verdict,
        problems: verdict.problems.map((problem) => `exercise "${exercise.id}": ${problem}`),
        result,
      };
    } catch (error) {
      return fail(exercise, describeError(error));
    }
  };
  try {
    for (const exercise of page.exercises)
      outcomes.push(await run(exercise, exercise.verify, checkUntouched));
    for (const exercise of page.exercises) {
      for (const block of exercise.solution) {
        const outcome = await run(exercise, block, (result) => checkResult(block, result));
        // Solution blocks are ordinary run blocks: `--record` keeps their output like the page's.
        outcomes.push(outcome.result ? { ...outcome, recordedAt: new Date().toISOString() } : outcome);
      }
      outcomes.push(await run(exercise, exercise.verify, checkSolved));
    }
  } finally {
    await client.deleteSession(session).catch((error: unknown) => {
      console.warn(
        `warning: could not delete the exercises' playground of ${page.file}: ${describeError(error)}`,
      );
    });
  }
  return outcomes;
}
