/**
 * The steps `npm start` and `npm test` share to get a fresh clone going:
 * dependencies, the built site, and the Docker engine with its images.
 * Only Node built-ins are imported here: on a fresh clone node_modules does not
 * exist yet when this runs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupModeFromInfo } from '../../sandbox-server/src/docker/cgroup-mode.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

const SITE_INPUTS = [
  'content',
  'site',
  'public',
  'astro.config.mjs',
  'content.config.ts',
  'package-lock.json',
];

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtimeMs(join(path, entry))),
    stats.mtimeMs,
  );
}

/**
 * Runs a preparation command: as a step of `progress` (its output in the log file) when given,
 * otherwise with its output on the terminal after a `» what…` line.
 */
async function mustSucceed(
  progress: Progress | undefined,
  what: string,
  command: string,
  args: string[],
): Promise<void> {
  if (progress !== undefined) {
    await progress.step(what, () => progress.run(command, args, { cwd: REPO_ROOT }));
    return;
  }
  console.log(`» ${what}…`);
  const code = await runCommand(command, args, { cwd: REPO_ROOT });
  if (code !== 0) throw new Error(`${what} failed (exit code ${code}): ${command} ${args.join(' ')}`);
}

/** Installs dependencies when node_modules is missing or older than the lock file. */
export async function ensureDependencies(progress?: Progress): Promise<void> {
  const installed = join(REPO_ROOT, 'node_modules/.package-lock.json');
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) {
    progress?.say('· dependencies: up to date');
    return;
  }
  // `npm install`, not `npm ci`: vite lists an optional, Windows-only dependency
  // that the registry does not serve, so it can never be in the lock file and
  // `npm ci` refuses the lock as out of sync. `npm install` honours the lock
  // and skips the missing optional package.
  await mustSucceed(progress, 'Installing dependencies (npm install, from package-lock.json)', 'npm', [
    'install',
    '--no-audit',
    '--no-fund',
  ]);
}

/** Builds the site unless dist/ is newer than every input of the build. */
export async function ensureSiteBuilt({
  force = false,
  progress,
}: {
  force?: boolean;
  progress?: Progress;
} = {}): Promise<void> {
  const builtAt = newestMtimeMs(join(REPO_ROOT, 'dist/index.html'));
  const inputsChangedAt = Math.max(...SITE_INPUTS.map((input) => newestMtimeMs(join(REPO_ROOT, input))));
  if (!force && builtAt > inputsChangedAt) {
    progress?.say('· site: up to date');
    return;
  }
  await mustSucceed(progress, 'Building the site (astro build)', 'npx', ['astro', 'build']);
}

export type EngineStatus = { reachable: true; version: string } | { reachable: false; reason: string };

/**
 * Asks the Docker engine (DOCKER_HOST or the default socket) whether it is there, and which cgroup
 * mode its host uses (the playground takes a different path on v1 and v2).
 */
export async function checkDockerEngine(): Promise<EngineStatus> {
  const { default: Docker } = await import('dockerode');
  try {
    const docker = new Docker({ timeout: 5_000 });
    const version = await docker.version();
    const cgroup = cgroupModeFromInfo(await docker.info());
    const cgroupText = cgroup.version === null ? '' : ` on cgroup v${cgroup.version}`;
    return { reachable: true, version: `${version.Version} (API ${version.ApiVersion})${cgroupText}` };
  } catch (error) {
    return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export const ENGINE_HELP = [
  'The Run buttons need a Docker Engine on this machine.',
  '  • Debian/Ubuntu as root: sh scripts/provision/docker-engine.sh  (installs docker.io + gVisor, starts dockerd)',
  '  • elsewhere: install Docker Engine (https://docs.docker.com/engine/install/) and start it,',
  '    or point DOCKER_HOST at one.',
].join('\n');

/** Builds the sandbox images that are missing or whose inputs changed. */
export async function ensureImages(): Promise<void> {
  // images.ts reports its own progress, one line per image.
  const code = await runCommand('node', ['scripts/images.ts'], { cwd: REPO_ROOT });
  if (code !== 0) throw new Error(`Building the sandbox images failed (exit code ${code})`);
}
