/**
 * The Debian mirror the images are built from: DEBIAN_MIRROR, or the one this machine's apt uses for a
 * suite (deb822 `.sources` files, or one-line `sources.list` entries). No mirror is assumed: without
 * either, the build stops and says which variable to set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSources {
  readonly sourcesDir: string;
  readonly sourcesList: string;
}

const MACHINE_APT_SOURCES: AptSources = {
  sourcesDir: '/etc/apt/sources.list.d',
  sourcesList: '/etc/apt/sources.list',
};

export function debianMirrorFor(
  suite: string,
  env: NodeJS.ProcessEnv = process.env,
  apt: AptSources = MACHINE_APT_SOURCES,
): string {
  const fromEnv = env.DEBIAN_MIRROR?.trim();
  if (fromEnv) return fromEnv;
  const uri = mirrorFromAptSources(suite, apt);
  if (uri !== undefined) return uri;
  throw new Error(
    `no Debian mirror for ${suite} found in ${apt.sourcesList} or ${apt.sourcesDir}/*.sources: ` +
      'set DEBIAN_MIRROR to the URL of a Debian mirror this machine can reach',
  );
}

function mirrorFromAptSources(suite: string, apt: AptSources): string | undefined {
  let files: string[] = [];
  try {
    files = readdirSync(apt.sourcesDir).filter((f) => f.endsWith('.sources'));
  } catch {
    // No sources directory: only sources.list can tell.
  }
  for (const file of files) {
    for (const stanza of readFileSync(join(apt.sourcesDir, file), 'utf8').split(/\n\s*\n/)) {
      const field = (name: string) => stanza.match(new RegExp(`^${name}:\\s*(.+)$`, 'm'))?.[1]?.trim() ?? '';
      if (field('Suites').split(/\s+/).includes(suite) && /\bdeb\b/.test(field('Types'))) {
        const uri = field('URIs').split(/\s+/)[0];
        if (uri) return uri;
      }
    }
  }
  let list = '';
  try {
    list = readFileSync(apt.sourcesList, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of list.split('\n')) {
    // deb [options] URI SUITE COMPONENTS...
    const fields = line
      .replace(/\[[^\]]*\]/, '')
      .trim()
      .split(/\s+/);
    if (fields[0] === 'deb' && fields[2] === suite && fields[1]) return fields[1];
  }
  return undefined;
}
