/** What the doc-tests print and the summary they write for scripts/test.ts. */
import type { Locale } from '../../../site/config/site-config.ts';
import type { BlockOutcome, PageOutcome } from './run-pages.ts';

const SHOWN_OUTPUT_LINES = 15;

export interface LocaleCounts {
  blocks: number;
  passed: number;
  failed: number;
}

export interface DoctestSummary {
  readonly counts: Record<Locale, LocaleCounts>;
  readonly failures: ReadonlyArray<{ file: string; line: number; problems: readonly string[] }>;
  readonly durationMs: number;
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

function tail(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const shown = lines.slice(-SHOWN_OUTPUT_LINES).join('\n');
  return lines.length > SHOWN_OUTPUT_LINES
    ? `… (${lines.length - SHOWN_OUTPUT_LINES} lines before)\n${shown}`
    : shown;
}

export function formatPageLine(outcome: PageOutcome): string {
  const failed = outcome.blocks.filter((block) => !block.passed).length;
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const mark = failed === 0 ? '✓' : '✗';
  const status = failed === 0 ? 'all passed' : `${failed} failed`;
  return `${mark} ${outcome.page.file}  ${outcome.blocks.length} blocks, ${status}  (${seconds} s)`;
}

/**
 * Every failed block, readable without opening the MDX: where, what, why, and the diff. A docker
 * block that fails after another one of its page failed may only be a consequence (its container
 * or image is missing): the report says so.
 */
export function formatFailures(outcomes: readonly PageOutcome[]): string {
  return outcomes
    .flatMap(({ blocks }) => {
      let firstDockerFailure: BlockOutcome | undefined;
      return blocks
        .filter((outcome) => !outcome.passed)
        .map((outcome) => {
          const text = formatFailure(outcome, firstDockerFailure);
          const isDocker = 'spec' in outcome.block && outcome.block.spec.runner === 'docker';
          if (isDocker && !firstDockerFailure) firstDockerFailure = outcome;
          return text;
        });
    })
    .join('\n\n');
}

function formatFailure(outcome: BlockOutcome, earlierFailure: BlockOutcome | undefined): string {
  const { page, block } = outcome;
  const runner = 'spec' in block ? `, runner ${block.spec.runner}` : '';
  const lines = [
    `✗ ${page.slug} (${page.locale}) block ${outcome.index || '?'} — ${page.file}:${block.line}${runner}`,
    indent(block.code, '  │ '),
    ...outcome.problems.map((problem) => `  ${problem}`),
  ];
  const isDocker = 'spec' in block && block.spec.runner === 'docker';
  if (isDocker && earlierFailure) {
    lines.push(`  (block ${earlierFailure.index} of this page failed before: this may be a consequence)`);
  }
  if (outcome.diff !== undefined) lines.push('  - expected (MDX)  + actual', indent(outcome.diff));
  const result = outcome.result;
  if (result && outcome.diff === undefined) {
    if (result.stdout !== '') lines.push('  stdout:', indent(tail(result.stdout)));
    if (result.stderr !== '') lines.push('  stderr:', indent(tail(result.stderr)));
  }
  return lines.join('\n');
}

export function summarize(outcomes: readonly PageOutcome[], durationMs: number): DoctestSummary {
  const counts: Record<Locale, LocaleCounts> = {
    'zh-cn': { blocks: 0, passed: 0, failed: 0 },
    en: { blocks: 0, passed: 0, failed: 0 },
  };
  const failures: Array<{ file: string; line: number; problems: readonly string[] }> = [];
  for (const { page, blocks } of outcomes) {
    for (const outcome of blocks) {
      const count = counts[page.locale];
      count.blocks++;
      if (outcome.passed) count.passed++;
      else {
        count.failed++;
        failures.push({ file: page.file, line: outcome.block.line, problems: outcome.problems });
      }
    }
  }
  return { counts, failures, durationMs };
}

export function formatSummary(summary: DoctestSummary): string {
  return Object.entries(summary.counts)
    .map(
      ([locale, count]) =>
        `${locale.padEnd(6)} ${count.blocks} blocks run, ${count.passed} passed, ${count.failed} failed`,
    )
    .join('\n');
}
