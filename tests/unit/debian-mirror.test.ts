import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianMirrorFor } from '../../scripts/lib/debian-mirror.ts';

function aptSources(files: Record<string, string>, list?: string) {
  const root = mkdtempSync(join(tmpdir(), 'apt-sources-'));
  const sourcesDir = join(root, 'sources.list.d');
  mkdirSync(sourcesDir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(sourcesDir, name), text);
  const sourcesList = join(root, 'sources.list');
  if (list !== undefined) writeFileSync(sourcesList, list);
  return { sourcesDir, sourcesList };
}

describe('the Debian mirror of the image builds', () => {
  it('is the one apt uses for the suite (deb822), not a security or other archive', () => {
    const apt = aptSources({
      'debian.sources':
        'Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n' +
        'Types: deb\nURIs: http://mirror.test/debian-security\nSuites: bookworm-security\nComponents: main\n',
      'other.sources': 'Types: deb\nURIs: https://elsewhere.test/apt\nSuites: nodistro\n',
    });
    expect(debianMirrorFor('bookworm', {}, apt)).toBe('http://mirror.test/debian');
  });

  it('reads one-line sources.list entries, and DEBIAN_MIRROR overrides both', () => {
    const apt = aptSources({}, '# comment\ndeb [arch=amd64] http://list.test/debian bookworm main\n');
    expect(debianMirrorFor('bookworm', {}, apt)).toBe('http://list.test/debian');
    expect(debianMirrorFor('bookworm', { DEBIAN_MIRROR: 'http://env.test/debian' }, apt)).toBe(
      'http://env.test/debian',
    );
  });

  it('stops with a message naming DEBIAN_MIRROR when no source names one', () => {
    const apt = aptSources({
      'node.sources': 'Types: deb\nURIs: https://elsewhere.test/apt\nSuites: nodistro\n',
    });
    expect(() => debianMirrorFor('bookworm', {}, apt)).toThrow(/set DEBIAN_MIRROR/);
  });
});
