/** Whether a block's real run is what its MDX promises: the exit status, and the output if stated. */
import type { RunnableBlock } from '../../../site/runnable-blocks.ts';
import { type DiffLine, formatDiff, matchOutput } from './output-match.ts';
import type { RunResult } from './sandbox-client.ts';

export interface Verdict {
  readonly passed: boolean;
  /** One line per problem, for the report. */
  readonly problems: readonly string[];
  /** When the stated output differs: the diff against the closest candidate. */
  readonly diff?: string;
}

function differingLines(diff: readonly DiffLine[]): number {
  return diff.filter((line) => line.kind !== 'same').length;
}

/**
 * The stated output is what a reader sees: stdout followed by stderr. A fence may also state
 * stdout alone, so messages a command writes to stderr (progress, warnings) need not be copied.
 */
function checkOutput(expected: string, result: RunResult): string | undefined {
  const candidates = [result.stdout];
  if (result.stderr !== '')
    candidates.push(`${result.stdout}${result.stdout.endsWith('\n') ? '' : '\n'}${result.stderr}`);
  let closest: readonly DiffLine[] | undefined;
  for (const candidate of candidates) {
    const { matches, diff } = matchOutput(expected, candidate);
    if (matches) return undefined;
    if (!closest || differingLines(diff) < differingLines(closest)) closest = diff;
  }
  return formatDiff(closest ?? []);
}

export function checkResult(block: RunnableBlock, result: RunResult): Verdict {
  const problems: string[] = [];
  if (result.timedOut)
    problems.push(`timed out after ${Math.round(result.durationMs / 100) / 10} s (wall-time limit)`);
  if (result.oomKilled) problems.push('killed: out of memory');
  if (!result.timedOut && !result.oomKilled) {
    if (block.spec.expectError && result.exitCode === 0) {
      problems.push('exit code 0, but the block is marked expect-error');
    } else if (!block.spec.expectError && result.exitCode !== 0) {
      problems.push(`exit code ${result.exitCode ?? 'none (killed)'}, expected 0`);
    } else if (block.spec.expectError && result.exitCode === null) {
      problems.push('killed by a signal, expected a non-zero exit code');
    }
  }
  let diff: string | undefined;
  if (block.expectedOutput) {
    diff = checkOutput(block.expectedOutput.code, result);
    if (diff !== undefined) {
      problems.push(
        `output differs from the \`output\` fence at line ${block.expectedOutput.line}${result.truncated ? ' (output was truncated)' : ''}`,
      );
    }
  }
  return { passed: problems.length === 0, problems, ...(diff === undefined ? {} : { diff }) };
}
