/**
 * `npm start`: from a fresh clone to a served site with working Run buttons.
 * Installs dependencies, builds the site when its inputs changed, builds the
 * sandbox images when a Docker engine is reachable, then serves site + API on
 * one port (PORT, default 4321). Without an engine the site is still served;
 * the Run buttons say the sandbox is unavailable.
 */
import { spawn } from 'node:child_process';
import {
  checkDockerEngine,
  ENGINE_HELP,
  ensureDependencies,
  ensureImages,
  ensureSiteBuilt,
  REPO_ROOT,
} from './lib/prepare.ts';

try {
  await ensureDependencies();
  await ensureSiteBuilt();
  const engine = await checkDockerEngine();
  if (engine.reachable) {
    console.log(`» Docker Engine ${engine.version} is reachable; checking the sandbox images…`);
    await ensureImages();
  } else {
    console.warn(`\n⚠ No Docker Engine is reachable (${engine.reason}).\n${ENGINE_HELP}\n`);
    console.warn('Serving the site anyway; the Run buttons will report the sandbox as unavailable.\n');
  }
} catch (error) {
  console.error(`\n✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const server = spawn('node', ['sandbox-server/src/server.ts'], { cwd: REPO_ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.kill(signal));
}
server.once('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
