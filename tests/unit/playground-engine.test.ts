import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEngineFile, readmeEngineVersion, upstreamVersion } from '../../scripts/lib/playground-engine.ts';

const REPO_ROOT = join(import.meta.dirname, '../..');

describe('the playground engine versions', () => {
  it('takes the upstream part of a Debian package version', () => {
    expect(upstreamVersion('28.5.2+dfsg4-5')).toBe('28.5.2');
    expect(upstreamVersion('1:2.1.9~ds1-5')).toBe('2.1.9');
    expect(upstreamVersion('2.40.3-3')).toBe('2.40.3');
    expect(() => upstreamVersion('unknown')).toThrow(/not a Debian package version/);
  });

  it('are stated in the README as in the generated file', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const { engine } = readEngineFile(REPO_ROOT);
    expect(engine).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readmeEngineVersion(readme)).toBe(engine);
  });
});
