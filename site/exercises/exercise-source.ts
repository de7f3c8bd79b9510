/**
 * What an exercise is in a chapter's MDX, in one place: the doc-tests (scripts/doctest.ts), the
 * page's <Exercise> component (sidebar progress needs every chapter's exercise ids) and the build
 * tests all read exercises through this module. The conventions are documented in content/README.md.
 *
 *   <Exercise id="nginx-own-page" title="…">
 *   task text (Markdown)
 *   ```sh verify        the check: exit 0 = solved; otherwise its last output line is the hint
 *   <Solution>
 *   ```sh run           the runnable blocks of the exercise are its reference solution
 *   </Solution>
 *   </Exercise>
 */
import { extractFences, type Fence, parseMeta } from '../runnable-blocks.ts';

export interface Exercise {
  readonly id: string;
  /** 1-based lines of the opening `<Exercise` and of `</Exercise>`. */
  readonly line: number;
  readonly endLine: number;
  readonly verify: Fence;
  /** The reference solution's runnable blocks, in order. */
  readonly solution: readonly Fence[];
}

/** An `<Exercise>` that cannot be checked as written. */
export interface InvalidExercise {
  readonly id: string;
  readonly line: number;
  readonly problem: string;
}

/** Ids are also localStorage keys and URL fragments: lower-case words joined by hyphens. */
export const EXERCISE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const OPEN_TAG = /^\s*<Exercise\b([^>]*)>\s*$/;
const CLOSE_TAG = /^\s*<\/Exercise>\s*$/;
const ID_ATTRIBUTE = /\bid="([^"]*)"/;

function hasFlag(fence: Fence, name: string): boolean {
  return parseMeta(fence.meta).get(name) === true;
}

export function isVerifyFence(fence: Fence): boolean {
  return hasFlag(fence, 'verify');
}

/** Inside an exercise, every block marked `run` belongs to the reference solution. */
function isSolutionFence(fence: Fence): boolean {
  return hasFlag(fence, 'run');
}

/** Every `<Exercise>` of an MDX file, in page order; tags inside code fences do not count. */
export function extractExercises(source: string): { exercises: Exercise[]; invalid: InvalidExercise[] } {
  const lines = source.split(/\r?\n/);
  const fences = extractFences(source);
  const inFence = (line: number) => fences.some((fence) => line >= fence.line && line <= fence.endLine);
  const exercises: Exercise[] = [];
  const invalid: InvalidExercise[] = [];
  let open: { id: string; line: number } | undefined;
  lines.forEach((text, index) => {
    const line = index + 1;
    if (inFence(line)) return;
    const opening = OPEN_TAG.exec(text);
    if (opening) {
      if (open)
        invalid.push({ ...open, problem: 'an <Exercise> is opened before the previous one is closed' });
      open = { id: ID_ATTRIBUTE.exec(opening[1] ?? '')?.[1] ?? '', line };
      return;
    }
    if (!CLOSE_TAG.test(text) || !open) return;
    const start = open;
    open = undefined;
    const inside = fences.filter((fence) => fence.line > start.line && fence.endLine < line);
    const verify = inside.filter(isVerifyFence);
    const solution = inside.filter(isSolutionFence);
    const problem = exerciseProblem(start.id, verify, solution);
    if (problem !== undefined) invalid.push({ ...start, problem });
    else if (verify[0])
      exercises.push({ id: start.id, line: start.line, endLine: line, verify: verify[0], solution });
  });
  if (open)
    invalid.push({ ...open, problem: 'the <Exercise> is never closed (</Exercise> on a line of its own)' });
  const seen = new Set<string>();
  for (const exercise of exercises) {
    if (seen.has(exercise.id))
      invalid.push({
        id: exercise.id,
        line: exercise.line,
        problem: `the id "${exercise.id}" is used twice`,
      });
    seen.add(exercise.id);
  }
  return { exercises, invalid };
}

function exerciseProblem(
  id: string,
  verify: readonly Fence[],
  solution: readonly Fence[],
): string | undefined {
  if (!EXERCISE_ID.test(id)) return `id="${id}": an id is lower-case words joined by hyphens`;
  if (verify.length !== 1) return `has ${verify.length} \`verify\` fences, needs exactly one`;
  if (!['sh', 'bash'].includes(verify[0]?.lang ?? '')) return 'the `verify` fence must be `sh` or `bash`';
  if (solution.length === 0) return 'has no reference solution (a block marked `run` inside it)';
  return undefined;
}

/** Whether a 1-based line lies inside one of the exercises (its solution blocks run with the exercise). */
export function insideExercise(
  exercises: readonly Pick<Exercise, 'line' | 'endLine'>[],
  line: number,
): boolean {
  return exercises.some((exercise) => line > exercise.line && line < exercise.endLine);
}
