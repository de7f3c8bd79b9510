/**
 * `npm run check`: type-check (astro check covers .astro, .ts and content
 * collections) and lint/format check with Biome. Exits non-zero on any finding.
 */
import { spawnSync } from 'node:child_process';

const steps: Array<[string, string[]]> = [
  ['npx', ['astro', 'check', '--minimumSeverity', 'warning']],
  ['npx', ['biome', 'check', '.']],
];

for (const [command, args] of steps) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
