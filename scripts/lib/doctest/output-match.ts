/**
 * Compares a block's real output with the output an MDX `output` fence states.
 *
 * The fence is a pattern, line by line (content/README.md documents it):
 * - placeholders match what always differs: `<id>` hex ids, `<time>` any time text, `<size>`
 *   sizes like `7.67MB`, `<n>` numbers, `<ip>` IPv4 addresses, `<any>` anything within a line;
 * - a line that is just `...` matches any number of lines (also none);
 * - any run of spaces matches any run of spaces (table columns change width), trailing spaces,
 *   leading and trailing blank lines, carriage returns and terminal colour codes are ignored.
 * Everything else is literal, so `<none>` or `<missing>` in docker's own output still match.
 */

const PLACEHOLDERS: Readonly<Record<string, string>> = {
  '<id>': '[0-9a-f]{12,64}',
  '<time>': '\\S(?:.*?\\S)?',
  '<size>': '\\d+(?:\\.\\d+)?\\s?(?:[kKMGTP]i?)?B',
  '<n>': '\\d+(?:\\.\\d+)?',
  '<ip>': '\\d{1,3}(?:\\.\\d{1,3}){3}',
  '<any>': '.*?',
};
const ANY_LINES = '...';
const TOKEN = new RegExp(`(${Object.keys(PLACEHOLDERS).join('|')}|[ \\t]+)`);

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are control characters
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/** Output as compared: no colour codes, no CR, no trailing spaces, no leading/trailing blank lines. */
export function normalizeOutput(text: string): string[] {
  const lines = text
    .replace(ANSI_ESCAPE, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

type LinePattern = { kind: 'any-lines' } | { kind: 'line'; text: string; regex: RegExp };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileLine(line: string): LinePattern {
  if (line.trim() === ANY_LINES) return { kind: 'any-lines' };
  const source = line
    .split(TOKEN)
    .map((part) => PLACEHOLDERS[part] ?? (/^[ \t]+$/.test(part) ? '[ \\t]+' : escapeRegExp(part)))
    .join('');
  return { kind: 'line', text: line, regex: new RegExp(`^${source}$`) };
}

export type DiffLine = { kind: 'same' | 'expected' | 'actual'; text: string };

export interface MatchResult {
  readonly matches: boolean;
  /** Line diff of the expected pattern against the actual output (empty when it matches). */
  readonly diff: DiffLine[];
}

/**
 * Matches actual output against an expected-output pattern. When it does not match, the diff is
 * the alignment with the fewest differing lines: `...` lines absorb any actual lines for free.
 */
export function matchOutput(expected: string, actual: string): MatchResult {
  const patterns = normalizeOutput(expected).map(compileLine);
  const lines = normalizeOutput(actual);
  const rows = patterns.length;
  const cols = lines.length;
  // cost[i][j]: fewest differing lines to align patterns[i..] with lines[j..].
  const cost = Array.from({ length: rows + 1 }, () => new Array<number>(cols + 1).fill(0));
  for (let j = cols - 1; j >= 0; j--) (cost[rows] as number[])[j] = cols - j;
  for (let i = rows - 1; i >= 0; i--) {
    const pattern = patterns[i] as LinePattern;
    const row = cost[i] as number[];
    const below = cost[i + 1] as number[];
    row[cols] = (below[cols] as number) + (pattern.kind === 'any-lines' ? 0 : 1);
    for (let j = cols - 1; j >= 0; j--) {
      const line = lines[j] as string;
      if (pattern.kind === 'any-lines') {
        row[j] = Math.min(below[j] as number, row[j + 1] as number);
      } else {
        const matched = pattern.regex.test(line) ? (below[j + 1] as number) : Number.POSITIVE_INFINITY;
        row[j] = Math.min(matched, (below[j] as number) + 1, (row[j + 1] as number) + 1);
      }
    }
  }
  if ((cost[0] as number[])[0] === 0) return { matches: true, diff: [] };

  const diff: DiffLine[] = [];
  let i = 0;
  let j = 0;
  const at = (r: number, c: number) => (cost[r] as number[])[c] as number;
  while (i < rows || j < cols) {
    const pattern = patterns[i];
    const line = lines[j];
    if (pattern?.kind === 'any-lines') {
      let absorbed = 0;
      while (j < cols && at(i, j) === at(i, j + 1)) {
        absorbed++;
        j++;
      }
      diff.push({ kind: 'same', text: `${ANY_LINES} (${absorbed} line${absorbed === 1 ? '' : 's'})` });
      i++;
    } else if (pattern && line !== undefined && pattern.regex.test(line) && at(i, j) === at(i + 1, j + 1)) {
      diff.push({ kind: 'same', text: line });
      i++;
      j++;
    } else if (pattern && at(i, j) === at(i + 1, j) + 1) {
      diff.push({ kind: 'expected', text: pattern.text });
      i++;
    } else {
      diff.push({ kind: 'actual', text: line ?? '' });
      j++;
    }
  }
  return { matches: false, diff };
}

/** A diff as text: `- ` lines only in the MDX, `+ ` lines only in the real output. */
export function formatDiff(diff: readonly DiffLine[]): string {
  const prefix = { same: '  ', expected: '- ', actual: '+ ' } as const;
  return diff.map((line) => `${prefix[line.kind]}${line.text}`).join('\n');
}
