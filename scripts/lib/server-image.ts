/**
 * Builds Dockyard's own image (Dockerfile) on the local engine. The Dockerfile copies the
 * checkout's node_modules and a Node 24 binary staged in .cache/server-image, so the image build
 * needs no network; they are prepared here, on the host: `npm install` when the lock file changed,
 * and the npm registry's `node@24` package in .cache/node24 (where scripts/use-node.sh bootstraps
 * it) when this machine's Node did not need that bootstrap. The binary is copied, not linked: the
 * engine does not follow links out of the build context.
 */
import { copyFileSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, REPO_ROOT } from './prepare.ts';
import type { Progress } from './progress.ts';

export const SERVER_IMAGE = process.env.DOCKYARD_SERVER_IMAGE ?? 'dockyard/server:latest';
const NODE24 = join(REPO_ROOT, '.cache/node24');
const NODE24_BINARY = join(NODE24, 'node_modules/node/bin/node');
const STAGED_NODE = join(REPO_ROOT, '.cache/server-image/node');

export async function buildServerImage(progress: Progress): Promise<void> {
  await ensureDependencies(progress);
  if (!existsSync(NODE24_BINARY)) {
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
  mkdirSync(join(STAGED_NODE, '..'), { recursive: true });
  copyFileSync(realpathSync(NODE24_BINARY), STAGED_NODE);
  await progress.step(`docker build -t ${SERVER_IMAGE} .`, () =>
    progress.run('docker', ['build', '-t', SERVER_IMAGE, REPO_ROOT], {
      // The classic builder: BuildKit needs a plugin Debian's docker.io lacks.
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    }),
  );
}
