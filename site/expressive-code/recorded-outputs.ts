/**
 * What a runnable block printed when it was run for real, for readers whose
 * sandbox cannot be reached. Read at build time from two sources:
 *   - content/recorded-outputs.json (written by `npm run doctest -- --record`),
 *     keyed by the block's codeHash (site/runnable-blocks.ts);
 *   - an `output` fence directly after the block (its expected output).
 * The recording wins: it has the exit code and stderr apart.
 */
import { readFileSync, statSync } from 'node:fs';
import type { KnownOutput } from '../run-block/output-panel.ts';
import { codeHash, extractRunnableBlocks, type RunnableBlock } from '../runnable-blocks.ts';

interface RecordedEntry {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  recordedAt: string;
}

export const RECORDED_OUTPUTS_FILE = new URL('../../content/recorded-outputs.json', import.meta.url);

/** Expressive Code trims trailing spaces and blank edge lines; compare blocks the same way. */
export function normalizeCode(code: string): string {
  const lines = code.split(/\r?\n/).map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

/** Reads a file again only when its modification time changes (the dev server re-renders often). */
function cachedByMtime<T>(parse: (text: string) => T): (file: string | URL) => T | undefined {
  const cache = new Map<string, { mtimeMs: number; value: T }>();
  return (file) => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
    const hit = cache.get(String(file));
    if (hit?.mtimeMs === mtimeMs) return hit.value;
    const value = parse(readFileSync(file, 'utf8'));
    cache.set(String(file), { mtimeMs, value });
    return value;
  };
}

const readRecordings = cachedByMtime((text) => JSON.parse(text) as Record<string, RecordedEntry>);

/** A source file's runnable blocks by their code as Expressive Code sees it. */
const readSourceBlocks = cachedByMtime(
  (text) =>
    new Map<string, RunnableBlock>(
      extractRunnableBlocks(text).blocks.map((block) => [normalizeCode(block.code), block]),
    ),
);

/**
 * The runnable block of `sourceFile` whose code is `code` (as Expressive Code
 * has it): the doc-tests' view of it, with its exact code, hash and expected output.
 */
export function sourceBlock(code: string, sourceFile: string | undefined): RunnableBlock | undefined {
  return sourceFile === undefined ? undefined : readSourceBlocks(sourceFile)?.get(normalizeCode(code));
}

export function knownOutput(
  code: string,
  block: RunnableBlock | undefined,
  recordingsFile: string | URL = RECORDED_OUTPUTS_FILE,
): KnownOutput | undefined {
  const recording = readRecordings(recordingsFile)?.[block?.spec.hash ?? codeHash(code)];
  if (recording) {
    return {
      source: 'recorded',
      stdout: recording.stdout,
      stderr: recording.stderr,
      exitCode: recording.exitCode,
      recordedAt: recording.recordedAt,
    };
  }
  if (block?.expectedOutput) {
    return { source: 'expected', stdout: `${block.expectedOutput.code}\n`, stderr: '', exitCode: null };
  }
  return undefined;
}
