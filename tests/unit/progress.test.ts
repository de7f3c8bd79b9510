import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatSeconds, Progress } from '../../scripts/lib/progress.ts';

let dir: string;
let printed: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockyard-progress-'));
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('Progress', () => {
  it('prints one line per step and keeps the commands’ output in the log file it names', async () => {
    const progress = new Progress('test', { interactive: false, cacheDir: dir });
    await progress.step('say hello', () => progress.run('sh', ['-c', 'echo hello from the command']));
    progress.close();
    expect(printed[0]).toBe(`Full log: ${progress.logPath}`);
    expect(printed.slice(1)).toHaveLength(1);
    expect(printed[1]).toMatch(/^✓ say hello {2}\d+\.\d s$/);
    expect(readFileSync(progress.logPath, 'utf8')).toContain('hello from the command');
  });

  it('gives the last duration as the next estimate', async () => {
    const first = new Progress('test', { interactive: false, cacheDir: dir });
    await first.step('build', async () => {});
    first.close();
    const durations = JSON.parse(readFileSync(join(dir, 'step-durations.json'), 'utf8'));
    expect(Object.keys(durations)).toEqual(['build']);
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => writes.push(String(text)) > 0);
    const second = new Progress('test', { interactive: true, cacheDir: dir });
    await second.step('build', async () => {});
    second.close();
    expect(writes.join('')).toMatch(/… build {2}\d+\.\d s \(last time \d+\.\d s\)/);
  });

  it('on a failed step prints ✗ and the end of the log, and rejects', async () => {
    const progress = new Progress('test', { interactive: false, cacheDir: dir });
    await expect(
      progress.step('break', () => progress.run('sh', ['-c', 'echo the reason it broke; exit 3'])),
    ).rejects.toThrow(/exit code 3/);
    progress.close();
    expect(printed.some((line) => /^✗ break {2}failed after/.test(line))).toBe(true);
    expect(printed.some((line) => line.includes('│ the reason it broke'))).toBe(true);
  });

  it('formats durations for people', () => {
    expect(formatSeconds(1234)).toBe('1.2 s');
    expect(formatSeconds(754_000)).toBe('12 min 34 s');
  });
});
