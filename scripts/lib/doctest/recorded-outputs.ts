/**
 * content/recorded-outputs.json: the real output of every runnable block, keyed by the sha256 of
 * its code. The site shows it when the sandbox cannot be reached. Keys are sorted and the format
 * is fixed, so re-recording produces small diffs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface RecordedOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly recordedAt: string;
}

export type RecordedOutputs = Readonly<Record<string, RecordedOutput>>;

export function readRecordedOutputs(file: string): RecordedOutputs {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RecordedOutputs) : {};
}

/** Ids, sizes, times, counts and column widths differ on every run; the rest is what an output shows. */
function shape(output: RecordedOutput): string {
  const mask = (text: string) =>
    text
      .replace(/[0-9a-f]{12,64}/g, '<id>')
      .replace(/\d+/g, '0')
      .replace(/[ \t]+/g, ' ');
  return JSON.stringify([mask(output.stdout), mask(output.stderr), output.exitCode]);
}

/**
 * The new file content: `fresh` outputs replace old ones; old entries are kept while their block
 * still exists (`liveHashes`), so recording a single page does not forget the others. A fresh
 * output that differs from the old one only in ids and numbers keeps the old entry: re-recording
 * then changes only the blocks whose output really changed.
 */
export function mergeRecordedOutputs(
  previous: RecordedOutputs,
  fresh: ReadonlyMap<string, RecordedOutput>,
  liveHashes: ReadonlySet<string>,
): RecordedOutputs {
  const merged: Record<string, RecordedOutput> = {};
  const hashes = [...new Set([...Object.keys(previous), ...fresh.keys()])].filter((hash) =>
    liveHashes.has(hash),
  );
  for (const hash of hashes.sort()) {
    const old = previous[hash];
    const recorded = fresh.get(hash);
    const output = recorded && !(old && shape(old) === shape(recorded)) ? recorded : old;
    if (output) {
      merged[hash] = {
        stdout: output.stdout,
        stderr: output.stderr,
        exitCode: output.exitCode,
        recordedAt: output.recordedAt,
      };
    }
  }
  return merged;
}

export function writeRecordedOutputs(file: string, outputs: RecordedOutputs): void {
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
}
