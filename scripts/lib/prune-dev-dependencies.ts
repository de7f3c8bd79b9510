/**
 * Removes the packages only devDependencies need from node_modules, as `npm prune --omit=dev`
 * does, without npm: the Dockyard image (Dockerfile) has Node but no npm. Which packages those are
 * comes from npm's own record of the installed tree, node_modules/.package-lock.json (`dev: true`).
 *
 *   node scripts/lib/prune-dev-dependencies.ts [directory with node_modules]
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
const lock = JSON.parse(readFileSync(join(root, 'node_modules/.package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
const devOnly = Object.entries(lock.packages).filter(([path, entry]) => entry.dev === true && path !== '');
for (const [path] of devOnly) rmSync(join(root, path), { recursive: true, force: true });
console.log(`removed ${devOnly.length} packages only devDependencies need`);
