/**
 * Checks the meta of runnable blocks and of `output` fences (conventions in content/README.md,
 * parsing in site/runnable-blocks.ts): a typo such as `expect-eror` would otherwise make a block
 * silently behave differently in the reader's browser and in the doc-tests.
 */
import {
  extractFences,
  extractRunnableBlocks,
  isMarkedRun,
  isOutputFence,
  parseMeta,
} from '../runnable-blocks.ts';

export interface BlockProblem {
  readonly line: number;
  readonly message: string;
}

/** Meta words of our own on a `run` block. */
const RUN_WORDS = new Set(['run', 'runner', 'expect-error', 'tag', 'context']);
const DOCKERFILE_ONLY = ['tag', 'context'];
/** Expressive Code's own meta options (titles, frames, markers, line numbers, collapsing). */
const EXPRESSIVE_CODE_WORDS = new Set([
  'title',
  'frame',
  'wrap',
  'preserveIndent',
  'hangingIndent',
  'showLineNumbers',
  'startLineNumber',
  'collapse',
  'collapseStyle',
  'mark',
  'ins',
  'del',
  'useDiffSyntax',
  'lang',
]);

export function checkBlockMeta(source: string): BlockProblem[] {
  const problems: BlockProblem[] = [];
  const { blocks, invalid } = extractRunnableBlocks(source);
  for (const block of invalid) problems.push({ line: block.line, message: block.problem });
  const outputFences = new Set(
    blocks.flatMap((block) => (block.expectedOutput ? [block.expectedOutput.line] : [])),
  );
  for (const fence of extractFences(source)) {
    const words = [...parseMeta(fence.meta).keys()];
    if (isMarkedRun(fence.meta)) {
      for (const word of words) {
        if (!RUN_WORDS.has(word) && !EXPRESSIVE_CODE_WORDS.has(word)) {
          problems.push({
            line: fence.line,
            message: `unknown word "${word}" on a run block (ours: ${[...RUN_WORDS].join(', ')})`,
          });
        }
        if (
          DOCKERFILE_ONLY.includes(word) &&
          fence.lang.toLowerCase() !== 'dockerfile' &&
          fence.lang !== 'docker'
        ) {
          problems.push({ line: fence.line, message: `"${word}" applies to dockerfile blocks only` });
        }
      }
    } else if (isOutputFence(fence.meta) && !outputFences.has(fence.line)) {
      problems.push({
        line: fence.line,
        message:
          'an `output` fence states the output of the block marked `run` right before it; there is none',
      });
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}
