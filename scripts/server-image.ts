/**
 * `npm run image:server`: builds Dockyard's own image (Dockerfile) as dockyard/server:latest
 * (DOCKYARD_SERVER_IMAGE to name it otherwise), for compose.yaml. The sandbox images it runs
 * snippets in are built separately, on the engine it will use: `npm run images`.
 */
import { Progress } from './lib/progress.ts';
import { buildServerImage, SERVER_IMAGE } from './lib/server-image.ts';

const progress = new Progress('server-image');
try {
  await buildServerImage(progress);
  progress.say(
    `${SERVER_IMAGE} is built (${progress.elapsed()}); start it with compose.yaml (docs/deploy.md)`,
  );
} catch (error) {
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  progress.close();
}
