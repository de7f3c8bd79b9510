import { describe, expect, it } from 'vitest';
import { formatDiff, matchOutput, normalizeOutput } from '../../scripts/lib/doctest/output-match.ts';

describe('normalizeOutput', () => {
  it('drops colour codes, carriage returns, trailing spaces and outer blank lines', () => {
    expect(normalizeOutput('\n\u001b[32mok\u001b[0m  \r\nline 2\r\n\n')).toEqual(['ok', 'line 2']);
  });
});

describe('matchOutput', () => {
  it('matches literal output, ignoring column widths', () => {
    expect(matchOutput('hello\nworld', 'hello\nworld\n').matches).toBe(true);
    expect(matchOutput('NAME   STATUS', 'NAME        STATUS').matches).toBe(true);
    expect(matchOutput('hello', 'hello world').matches).toBe(false);
  });

  it('masks ids, times, sizes, numbers and addresses with placeholders', () => {
    const expected = [
      'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE',
      'busybox      latest    <id>       <time>    <size>',
      '<none>       <none>    <id>       <time>    <size>',
    ].join('\n');
    const actual = [
      'REPOSITORY   TAG       IMAGE ID       CREATED              SIZE',
      'busybox      latest    65fd0fd561b0   About a minute ago   4.26MB',
      '<none>       <none>    d284d09712c6   2 years ago          552MB',
    ].join('\n');
    expect(matchOutput(expected, actual).matches).toBe(true);
    expect(matchOutput('Untagged: <id>', 'Untagged: my-image').matches).toBe(false);
    expect(matchOutput('<n> packets, <ip>', '3 packets, 172.17.0.2').matches).toBe(true);
    expect(matchOutput('took <any>!', 'took 3 s and more!').matches).toBe(true);
  });

  it('lets a "..." line stand for any number of lines, also none', () => {
    expect(matchOutput('Client:\n...\nServer:', 'Client:\n a\n b\nServer:').matches).toBe(true);
    expect(matchOutput('Client:\n...\nServer:', 'Client:\nServer:').matches).toBe(true);
    expect(matchOutput('...\nlast', 'a\nb\nlast').matches).toBe(true);
    expect(matchOutput('...\nlast', 'a\nb\nlast but not least').matches).toBe(false);
  });

  it('treats characters special to regular expressions literally', () => {
    expect(matchOutput('a.b (c) [d] $e ^f *g', 'a.b (c) [d] $e ^f *g').matches).toBe(true);
    expect(matchOutput('a.b', 'axb').matches).toBe(false);
  });

  it('explains a mismatch with a minimal line diff', () => {
    const result = matchOutput('one\ntwo\nthree', 'one\n2\nthree\nfour');
    expect(result.matches).toBe(false);
    expect(formatDiff(result.diff)).toBe(['  one', '- two', '+ 2', '  three', '+ four'].join('\n'));
  });

  it('shows how many lines a "..." absorbed', () => {
    const result = matchOutput('start\n...\nend', 'start\nx\ny\nfinish');
    expect(formatDiff(result.diff)).toBe(['  start', '  ... (3 lines)', '- end'].join('\n'));
  });
});
