/**
 * `npm run test:cluster` (its own stage in CI, .ci/run): three Dockyard nodes on this machine behind
 * HAProxy, with a shared Redis/Valkey (tests/cluster/, scripts/lib/cluster/). Installs HAProxy and the
 * store from Debian's packages when they are missing (scripts/provision/cluster-tools.sh, as root), needs
 * a reachable Docker engine and the sandbox images (`npm run images`), and cleans up everything it
 * started. Prints the kill scenario's figures; vitest's exit code is the script's.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { storeServerBinary } from './lib/cluster/cluster.ts';
import { checkDockerEngine, ENGINE_HELP, REPO_ROOT } from './lib/prepare.ts';

function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function toolsPresent(): boolean {
  if (!installed('haproxy')) return false;
  try {
    storeServerBinary();
    return true;
  } catch {
    return false;
  }
}

if (!toolsPresent()) {
  console.log('installing HAProxy and a Redis-protocol server (scripts/provision/cluster-tools.sh)');
  const provisioned = spawnSync('sh', [join(REPO_ROOT, 'scripts/provision/cluster-tools.sh')], {
    stdio: 'inherit',
  });
  if (provisioned.status !== 0 || !toolsPresent()) {
    console.error(
      '✗ HAProxy and valkey-server/redis-server are needed: run scripts/provision/cluster-tools.sh as root',
    );
    process.exit(1);
  }
}

const engine = await checkDockerEngine();
if (!engine.reachable) {
  console.error(`✗ Docker engine not reachable (${engine.reason})\n${ENGINE_HELP}`);
  process.exit(1);
}

const vitest = spawnSync(
  process.execPath,
  [
    join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--project',
    'cluster',
    ...process.argv.slice(2),
  ],
  { cwd: REPO_ROOT, stdio: 'inherit' },
);
process.exit(vitest.status ?? 1);
