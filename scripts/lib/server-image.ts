/**
 * Builds Dockyard's own image (Dockerfile) on the local engine. The Dockerfile copies the
 * checkout's node_modules and Node 24 from .cache/node24, so the image build needs no network;
 * they are prepared here, on the host: `npm install` when the lock file changed, and the npm
 * registry's `node@24` package when this machine's Node did not need the bootstrap of
 * scripts/use-node.sh.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, REPO_ROOT } from './prepare.ts';
import type { Progress } from './progress.ts';

export const SERVER_IMAGE = process.env.DOCKYARD_SERVER_IMAGE ?? 'dockyard/server:latest';
const NODE24 = join(REPO_ROOT, '.cache/node24');

export async function buildServerImage(progress: Progress): Promise<void> {
  await ensureDependencies(progress);
  if (!existsSync(join(NODE24, 'node_modules/node/bin/node'))) {
    await progress.step('Node 24 for the image (npm install node@24 into .cache/node24)', () =>
      progress.run(
        'npm',
        ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', NODE24, 'node@24'],
        {
          cwd: REPO_ROOT,
        },
      ),
    );
  }
  await progress.step(`docker build -t ${SERVER_IMAGE} .`, () =>
    progress.run('docker', ['build', '-t', SERVER_IMAGE, REPO_ROOT], {
      // The classic builder: BuildKit needs a plugin Debian's docker.io lacks.
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    }),
  );
}
