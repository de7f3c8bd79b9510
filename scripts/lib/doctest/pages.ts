/**
 * The pages whose runnable blocks the doc-tests run: every page of content/docs in every configured
 * language. Blocks of an exercise's reference solution are not run in page order: they belong to
 * the exercise, which is checked in a playground of its own (run-exercises.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import config from '../../../dockyard.config.ts';
import type { Locale } from '../../../site/config/site-config.ts';
import { loadContent } from '../../../site/content/pages.ts';
import { extractExercises, insideExercise } from '../../../site/exercises/exercise-source.ts';
import {
  codeHash,
  extractFences,
  extractRunnableBlocks,
  type Fence,
  type InvalidBlock,
  isMarkedTerminal,
  type RunnableBlock,
} from '../../../site/runnable-blocks.ts';

export interface Page {
  readonly locale: Locale;
  readonly slug: string;
  /** Path relative to the repository root, for messages. */
  readonly file: string;
  readonly blocks: readonly RunnableBlock[];
  readonly invalid: readonly InvalidBlock[];
  readonly exercises: readonly PageExercise[];
  /** Blocks marked `terminal`: typed into a terminal by a script (terminal-scripts.ts). */
  readonly terminalBlocks: readonly Fence[];
}

export interface PageExercise {
  readonly id: string;
  readonly line: number;
  /** The verify script, as a docker block (it runs in the reader's playground). */
  readonly verify: RunnableBlock;
  readonly solution: readonly RunnableBlock[];
}

export interface PageFilter {
  readonly slugs?: readonly string[];
  readonly locales?: readonly string[];
}

export function loadPages(repoRoot: string, filter: PageFilter = {}): Page[] {
  return loadContent(repoRoot, config)
    .filter((page) => !filter.locales || filter.locales.includes(page.locale))
    .filter((page) => !filter.slugs || filter.slugs.includes(page.slug))
    .map(({ locale, slug, file }) => ({
      locale,
      slug,
      file,
      ...pageContent(readFileSync(join(repoRoot, file), 'utf8')),
    }));
}

/**
 * A page's runnable blocks in page order, its exercises with their solutions' blocks, and its blocks
 * for the terminal.
 */
export function pageContent(
  source: string,
): Pick<Page, 'blocks' | 'invalid' | 'exercises' | 'terminalBlocks'> {
  const { blocks, invalid } = extractRunnableBlocks(source);
  const found = extractExercises(source);
  const exercises = found.exercises.map(
    (exercise): PageExercise => ({
      id: exercise.id,
      line: exercise.line,
      verify: verifyBlock(exercise.verify),
      solution: blocks.filter((block) => block.line > exercise.line && block.line < exercise.endLine),
    }),
  );
  const invalidExercises = found.invalid.map(
    (exercise): InvalidBlock => ({
      lang: 'mdx',
      meta: '',
      code: `<Exercise id="${exercise.id}">`,
      line: exercise.line,
      endLine: exercise.line,
      problem: exercise.problem,
    }),
  );
  return {
    blocks: blocks.filter((block) => !insideExercise(found.exercises, block.line)),
    invalid: [...invalid, ...invalidExercises],
    exercises,
    terminalBlocks: extractFences(source).filter((fence) => isMarkedTerminal(fence.meta)),
  };
}

function verifyBlock(fence: Fence): RunnableBlock {
  return {
    ...fence,
    spec: { runner: 'docker', command: fence.code, expectError: false, hash: codeHash(fence.code) },
  };
}
