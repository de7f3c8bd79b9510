/**
 * The versions of Docker a playground runs, read from the playground's image: `npm run images` writes
 * them to site/generated/playground-engine.json (which the chapters and the README quote) after building
 * it, and a test compares that file with the image, so no version is ever typed by hand.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PLAYGROUND_ENGINE_FILE = 'site/generated/playground-engine.json';
/** The README sentence between these markers is rewritten with the Engine's version. */
const README_MARKER = /(<!-- playground-engine -->)[^<]*(<!-- \/playground-engine -->)/;

export interface PlaygroundEngineVersions {
  /** The Debian suite the packages come from. */
  readonly suite: string;
  readonly engine: string;
  readonly cli: string;
  readonly compose: string;
  readonly buildx: string;
  readonly containerd: string;
  readonly runc: string;
}

const PACKAGES = {
  engine: 'docker.io',
  cli: 'docker-cli',
  compose: 'docker-compose',
  buildx: 'docker-buildx',
  containerd: 'containerd',
  runc: 'runc',
} as const;

/** Upstream version of a Debian package version: `28.5.2+dfsg3-1` → `28.5.2`, `1:2.1.9~ds1-1` → `2.1.9`. */
export function upstreamVersion(debianVersion: string): string {
  const match = /^(?:\d+:)?(\d+(?:\.\d+)*)/.exec(debianVersion);
  if (!match?.[1]) throw new Error(`not a Debian package version: ${debianVersion}`);
  return match[1];
}

export function readEngineVersions(image: string, suite: string): PlaygroundEngineVersions {
  const output = execFileSync(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'dpkg-query',
      image,
      '-W',
      '-f',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
      '${Package} ${Version}\\n',
      ...Object.values(PACKAGES),
    ],
    { encoding: 'utf8' },
  );
  const installed = new Map(
    output
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );
  const version = (pkg: string) => {
    const found = installed.get(pkg);
    if (found === undefined) throw new Error(`${image} has no ${pkg} package`);
    return upstreamVersion(found);
  };
  return {
    suite,
    engine: version(PACKAGES.engine),
    cli: version(PACKAGES.cli),
    compose: version(PACKAGES.compose),
    buildx: version(PACKAGES.buildx),
    containerd: version(PACKAGES.containerd),
    runc: version(PACKAGES.runc),
  };
}

export function readEngineFile(repoRoot: string): PlaygroundEngineVersions {
  return JSON.parse(readFileSync(join(repoRoot, PLAYGROUND_ENGINE_FILE), 'utf8')) as PlaygroundEngineVersions;
}

/** Writes the versions file and the README's marked sentence; files already up to date are not touched. */
export function writeEngineVersions(repoRoot: string, versions: PlaygroundEngineVersions): void {
  const file = join(repoRoot, PLAYGROUND_ENGINE_FILE);
  const json = `${JSON.stringify(versions, null, 2)}\n`;
  if (readIfExists(file) !== json) writeFileSync(file, json);
  const readmePath = join(repoRoot, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const updated = readme.replace(README_MARKER, `$1${versions.engine}$2`);
  if (updated !== readme) writeFileSync(readmePath, updated);
}

/** The Engine version the README states (between the markers), or undefined without them. */
export function readmeEngineVersion(readme: string): string | undefined {
  return /<!-- playground-engine -->([^<]*)<!-- \/playground-engine -->/.exec(readme)?.[1];
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
