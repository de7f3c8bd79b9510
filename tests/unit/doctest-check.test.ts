import { describe, expect, it } from 'vitest';
import { checkResult } from '../../scripts/lib/doctest/check-result.ts';
import { mergeRecordedOutputs, type RecordedOutput } from '../../scripts/lib/doctest/recorded-outputs.ts';
import { extractRunnableBlocks, type RunnableBlock } from '../../site/runnable-blocks.ts';
import { runResult as result } from '../support/run-result.ts';

const FENCE = '```';

function block(meta: string, expected?: string): RunnableBlock {
  const mdx = [`${FENCE}sh ${meta}`, 'some command', FENCE];
  if (expected !== undefined) mdx.push('', `${FENCE}text output`, expected, FENCE);
  const [first] = extractRunnableBlocks(mdx.join('\n')).blocks;
  if (!first) throw new Error('no block');
  return first;
}

describe('checkResult', () => {
  it('passes exit code 0, fails anything else unless the block expects an error', () => {
    expect(checkResult(block('run'), result()).passed).toBe(true);
    expect(checkResult(block('run'), result({ exitCode: 1 })).problems).toEqual(['exit code 1, expected 0']);
    expect(checkResult(block('run expect-error'), result({ exitCode: 125 })).passed).toBe(true);
    expect(checkResult(block('run expect-error'), result()).problems).toEqual([
      'exit code 0, but the block is marked expect-error',
    ]);
  });

  it('never passes a run that hit the wall-time limit or was OOM-killed', () => {
    const timedOut = checkResult(
      block('run expect-error'),
      result({ exitCode: null, timedOut: true, durationMs: 10_000 }),
    );
    expect(timedOut.problems).toEqual(['timed out after 10 s (wall-time limit)']);
    expect(checkResult(block('run'), result({ exitCode: 137, oomKilled: true })).problems).toEqual([
      'killed: out of memory',
    ]);
  });

  it('compares the output fence with stdout, or stdout followed by stderr', () => {
    const withOutput = block('run', 'hello\nwarning: x');
    expect(checkResult(withOutput, result({ stdout: 'hello\n', stderr: 'warning: x\n' })).passed).toBe(true);
    expect(
      checkResult(block('run', 'hello'), result({ stdout: 'hello\n', stderr: 'pulling…\n' })).passed,
    ).toBe(true);
    const failing = checkResult(block('run', 'hello'), result({ stdout: 'goodbye\n' }));
    expect(failing.passed).toBe(false);
    expect(failing.problems).toEqual(['output differs from the `output` fence at line 5']);
    expect(failing.diff).toBe('- hello\n+ goodbye');
  });

  it('checks the stated error message of an expect-error block', () => {
    const expected = block('run expect-error', 'Error: No such container: <any>');
    const actual = result({ exitCode: 1, stderr: 'Error: No such container: ticker\n' });
    expect(checkResult(expected, actual).passed).toBe(true);
  });
});

describe('mergeRecordedOutputs', () => {
  const output = (stdout: string): RecordedOutput => ({
    stdout,
    stderr: '',
    exitCode: 0,
    recordedAt: '2026-01-01T00:00:00.000Z',
  });

  it('replaces re-run blocks, keeps the others that still exist, drops the gone, sorts keys', () => {
    const merged = mergeRecordedOutputs(
      { b: output('old b'), a: output('old a'), gone: output('x') },
      new Map([
        ['c', output('new c')],
        ['a', output('new a')],
      ]),
      new Set(['a', 'b', 'c']),
    );
    expect(Object.keys(merged)).toEqual(['a', 'b', 'c']);
    expect(merged.a?.stdout).toBe('new a');
    expect(merged.b?.stdout).toBe('old b');
  });

  it('keeps the old recording when only ids and numbers changed, so re-recording makes small diffs', () => {
    const old = { ...output('a1b2c3d4e5f6 Up 3 seconds'), recordedAt: '2026-01-01T00:00:00.000Z' };
    const same = { ...output('0f9e8d7c6b5a Up 12 seconds'), recordedAt: '2026-02-02T00:00:00.000Z' };
    const changed = { ...output('0f9e8d7c6b5a Exited (0)'), recordedAt: '2026-02-02T00:00:00.000Z' };
    const live = new Set(['x']);
    expect(mergeRecordedOutputs({ x: old }, new Map([['x', same]]), live).x).toEqual(old);
    expect(mergeRecordedOutputs({ x: old }, new Map([['x', changed]]), live).x).toEqual(changed);
  });
});
