/**
 * `npm run images`: builds every sandbox image listed in
 * sandbox-server/images/specs.ts, locally (no registry is reachable).
 * An image is rebuilt only when the hash of its inputs — its spec, the files
 * of its build context, the id of the image it is built FROM — differs from
 * the hash stored in its `dockyard.inputs-hash` label.
 *
 *   node scripts/images.ts            build what is missing or outdated
 *   node scripts/images.ts --check    only report; exit 1 if anything needs building
 *   node scripts/images.ts --force    rebuild everything
 *
 * Needs a reachable Docker engine (and, for the base image, root and
 * debootstrap: `tar | docker import` of a debootstrap --variant=minbase tree).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  BASE_SUITE,
  IMAGE_SPECS,
  type ImageSpec,
  PLAYGROUND_BASE_IMAGE,
  PLAYGROUND_ENGINE,
} from '../sandbox-server/images/specs.ts';
import { debianMirrorFor } from './lib/debian-mirror.ts';
import { readEngineVersions, writeEngineVersions } from './lib/playground-engine.ts';
import { Progress } from './lib/progress.ts';

const ROOT = join(import.meta.dirname, '..');
const HASH_LABEL = 'dockyard.inputs-hash';

const args = new Set(process.argv.slice(2));
const checkOnly = args.has('--check');
const force = args.has('--force');
// One line per image on the screen; the builds' own output goes to the log file it names.
const progress = new Progress('images');

function log(message: string): void {
  progress.log(`[images] ${message}`);
}

function docker(argv: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('docker', argv, { encoding: 'utf8' });
  return { ok: result.status === 0, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

function imageInfo(name: string): { id: string; hash: string | undefined } | undefined {
  const result = docker([
    'image',
    'inspect',
    '--format',
    `{{.Id}} {{index .Config.Labels "${HASH_LABEL}"}}`,
    name,
  ]);
  if (!result.ok) return undefined;
  const [id = '', hash] = result.stdout.split(' ');
  return { id, hash: hash === '<no value>' || hash === '' ? undefined : hash };
}

/** Files of a build context, sorted, as [relative path, contents]. */
function contextFiles(dir: string): Array<[string, Buffer]> {
  const files: Array<[string, Buffer]> = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push([relative(dir, path), readFileSync(path)]);
    }
  };
  walk(dir);
  return files;
}

function inputsHash(spec: ImageSpec, fromId: string | undefined, afterIds: string[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(spec));
  hash.update(`from:${fromId ?? ''}\n`);
  for (const id of afterIds) hash.update(`after:${id}\n`);
  if (spec.build.kind === 'dockerfile') {
    for (const [path, contents] of contextFiles(join(ROOT, spec.build.context))) {
      hash.update(`file:${path}:${contents.length}\n`);
      hash.update(contents);
    }
  }
  if (spec.build.kind === 'catalog-store') hash.update(readFileSync(join(ROOT, spec.build.script)));
  return hash.digest('hex').slice(0, 32);
}

const debianMirror = () => debianMirrorFor(BASE_SUITE);

function run(command: string, argv: string[], options: { stdin?: 'pipe' } = {}) {
  return spawn(command, argv, { stdio: [options.stdin ?? 'ignore', progress.output, progress.output] });
}

function waitFor(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code})`)),
    );
  });
}

async function buildDebootstrap(spec: ImageSpec, hash: string): Promise<void> {
  if (spec.build.kind !== 'debootstrap') return;
  const { suite, variant } = spec.build;
  if (spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('debootstrap is not installed (apt-get install debootstrap)');
  }
  const mirror = debianMirror();
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-rootfs-'));
  try {
    log(`debootstrap --variant=${variant} ${suite} from ${mirror} (about a minute)`);
    await waitFor(run('debootstrap', [`--variant=${variant}`, suite, dir, mirror]), 'debootstrap');
    // Caches and package lists are not needed at run time; images built FROM this one fetch their own.
    rmSync(join(dir, 'var/cache/apt/archives'), { recursive: true, force: true });
    rmSync(join(dir, 'var/lib/apt/lists'), { recursive: true, force: true });
    log(`docker import -> ${spec.name}`);
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-c', '.'], {
      stdio: ['ignore', 'pipe', progress.output],
    });
    const importer = spawn(
      'docker',
      ['import', '--change', `LABEL ${HASH_LABEL}=${hash}`, '--change', 'CMD ["bash"]', '-', spec.name],
      { stdio: ['pipe', progress.output, progress.output] },
    );
    const { stdout } = tar;
    const { stdin } = importer;
    if (stdout === null || stdin === null) throw new Error('tar | docker import: the pipe did not open');
    stdout.pipe(stdin);
    await Promise.all([waitFor(tar, 'tar'), waitFor(importer, 'docker import')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function buildDockerfile(spec: ImageSpec, hash: string): Promise<void> {
  if (spec.build.kind !== 'dockerfile') return;
  log(`docker build ${spec.build.context} -> ${spec.name}`);
  const args = {
    ...spec.build.args,
    // The machine's mirror is not an input of the image: moving to another mirror rebuilds nothing.
    ...(spec.build.needsDebianMirror ? { DEBIAN_MIRROR: debianMirror() } : {}),
  };
  const buildArgs = Object.entries(args).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
  const child = spawn(
    'docker',
    [
      'build',
      ...buildArgs,
      '--label',
      `${HASH_LABEL}=${hash}`,
      '-t',
      spec.name,
      join(ROOT, spec.build.context),
    ],
    // The classic builder ships with every engine we target; BuildKit needs a plugin Debian's docker.io lacks.
    { stdio: ['ignore', progress.output, progress.output], env: { ...process.env, DOCKER_BUILDKIT: '0' } },
  );
  await waitFor(child, 'docker build');
}

function volumeHash(name: string): string | undefined {
  const result = docker(['volume', 'inspect', '--format', `{{index .Labels "${HASH_LABEL}"}}`, name]);
  if (!result.ok) return undefined;
  return result.stdout === '<no value>' || result.stdout === '' ? 'unlabelled' : result.stdout;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Playgrounds left behind by a server that died without cleaning up (a killed
 * session, a crashed machine) still reference the store, even when stopped,
 * and would block its replacement. Live servers' playgrounds are left alone.
 */
function removeDeadServersPlaygrounds(volume: string): void {
  const listed = docker([
    'ps',
    '-a',
    '--filter',
    `volume=${volume}`,
    '--filter',
    'label=dockyard.managed=true',
    '--format',
    '{{.ID}} {{.Label "dockyard.host"}} {{.Label "dockyard.pid"}}',
  ]);
  if (!listed.ok) return;
  for (const line of listed.stdout.split('\n').filter(Boolean)) {
    const [id = '', host, pid] = line.split(' ');
    if (host === hostname() && !isProcessAlive(Number(pid))) docker(['rm', '-f', '-v', id]);
  }
}

/** The playground catalog store: a volume, rebuilt from scratch (playgrounds using it must be gone). */
async function buildCatalogStore(spec: ImageSpec, hash: string): Promise<void> {
  if (spec.build.kind !== 'catalog-store') return;
  if (volumeHash(spec.name) !== undefined) {
    removeDeadServersPlaygrounds(spec.name);
    const removed = docker(['volume', 'rm', spec.name]);
    if (!removed.ok)
      throw new Error(`cannot replace volume ${spec.name} (stop the server first): ${removed.stderr}`);
  }
  log(`catalog store -> volume ${spec.name}`);
  const pairs = spec.build.images.map(({ source, name }) => `${source}=${name}`);
  const child = spawn(
    'sh',
    [join(ROOT, spec.build.script), spec.name, spec.build.playgroundImage, ...pairs],
    {
      stdio: ['ignore', progress.output, progress.output],
      env: { ...process.env, STORE_LABEL: `${HASH_LABEL}=${hash}` },
    },
  );
  await waitFor(child, 'catalog store build');
}

async function main(): Promise<void> {
  if (!docker(['version', '--format', '{{.Server.Version}}']).ok) {
    console.error(
      '[images] no Docker engine is reachable (is dockerd running? scripts/provision/docker-engine.sh)',
    );
    process.exit(2);
  }
  const ids = new Map<string, string>();
  let outdated = 0;
  for (const spec of IMAGE_SPECS) {
    const fromId = spec.from === undefined ? undefined : ids.get(spec.from);
    if (spec.from !== undefined && fromId === undefined && !checkOnly) {
      throw new Error(`${spec.name} is built FROM ${spec.from}, which is not built`);
    }
    const afterIds = (spec.after ?? []).map((name) => ids.get(name) ?? '');
    const hash = inputsHash(spec, fromId, afterIds);
    if (spec.build.kind === 'catalog-store') {
      const currentHash = volumeHash(spec.name);
      if (!force && currentHash === hash) {
        progress.say(`· ${spec.name}: up to date`);
        continue;
      }
      outdated++;
      if (checkOnly) {
        progress.say(
          `· ${spec.name}: needs building (${currentHash === undefined ? 'missing' : 'inputs changed'})`,
        );
        continue;
      }
      await progress.step(`${spec.name} (volume)`, () => buildCatalogStore(spec, hash));
      continue;
    }
    const current = imageInfo(spec.name);
    if (!force && current?.hash === hash) {
      progress.say(`· ${spec.name}: up to date`);
      ids.set(spec.name, current.id);
      continue;
    }
    outdated++;
    const why = current === undefined ? 'missing' : 'inputs changed';
    if (checkOnly) {
      progress.say(`· ${spec.name}: needs building (${why})`);
      continue;
    }
    await progress.step(
      `${spec.name} (${force ? 'forced' : why})`,
      () => (spec.build.kind === 'debootstrap' ? buildDebootstrap(spec, hash) : buildDockerfile(spec, hash)),
      { estimateKey: spec.name },
    );
    const built = imageInfo(spec.name);
    if (built?.hash !== hash) throw new Error(`${spec.name} was built but does not carry the expected label`);
    // The replaced image is now untagged; remove it unless a container still uses it.
    if (current !== undefined && current.id !== built.id) docker(['image', 'rm', current.id]);
    ids.set(spec.name, built.id);
  }
  progress.say(
    `images: ${outdated} ${checkOnly ? 'to build' : 'built'}, ${IMAGE_SPECS.length - outdated} up to date (${progress.elapsed()})`,
  );
  if (checkOnly && outdated > 0) process.exit(1);
  if (!checkOnly)
    writeEngineVersions(ROOT, readEngineVersions(PLAYGROUND_BASE_IMAGE, PLAYGROUND_ENGINE.suite));
}

main().catch((error: unknown) => {
  console.error(`[images] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
