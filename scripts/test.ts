/**
 * `npm test`: the whole suite, in stages, on a fresh clone.
 *
 *   check        type-check + lint (astro check, biome)
 *   unit         Vitest, no Docker, no build
 *   images       a Docker engine must be reachable; builds missing/outdated images
 *   integration  Vitest against the real engine
 *   doctest      every `run` block of every chapter through the real sandbox server
 *   container    Dockyard's own image built and run with compose.yaml (scripts/test-container.ts)
 *   cluster      three nodes behind HAProxy with a shared Redis (scripts/test-cluster.ts, ~1 min)
 *   site         astro build (always, so the tests see the current content)
 *   build        Vitest over dist/: pages, links, budgets
 *   e2e          Playwright + Debian's Chromium against the real server
 *
 * A stage whose prerequisite failed is reported as not run. The last line is
 * the totals, "N passed, N failed", over every test of every stage.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './lib/free-port.ts';
import {
  checkDockerEngine,
  ENGINE_HELP,
  ensureDependencies,
  ensureImages,
  ensureSiteBuilt,
  REPO_ROOT,
} from './lib/prepare.ts';
import { runCommand } from './lib/run-command.ts';

interface Counts {
  passed: number;
  failed: number;
}
type Outcome = { ok: boolean; counts?: Counts; note?: string };

const RESULTS_DIR = join(REPO_ROOT, 'test-results');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function readVitestCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number };
  return { passed: report.numPassedTests, failed: report.numFailedTests };
}

function readPlaywrightCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const { stats } = JSON.parse(readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number };
  };
  return { passed: stats.expected, failed: stats.unexpected + stats.flaky };
}

function readDoctestCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const { counts } = JSON.parse(readFileSync(file, 'utf8')) as { counts: Record<string, Counts> };
  const perLocale = Object.values(counts);
  return {
    passed: perLocale.reduce((sum, count) => sum + count.passed, 0),
    failed: perLocale.reduce((sum, count) => sum + count.failed, 0),
  };
}

async function vitestStage(project: string): Promise<Outcome> {
  const outputFile = join(RESULTS_DIR, `vitest-${project}.json`);
  rmSync(outputFile, { force: true });
  const code = await runCommand(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${outputFile}`,
    ],
    { cwd: REPO_ROOT },
  );
  const counts = readVitestCounts(outputFile);
  return counts ? { ok: code === 0, counts } : { ok: code === 0 };
}

async function stepStage(step: () => Promise<void>): Promise<Outcome> {
  try {
    await step();
    return { ok: true };
  } catch (error) {
    return { ok: false, note: error instanceof Error ? error.message : String(error) };
  }
}

const outcomes = new Map<string, Outcome>();
async function stage(name: string, needs: string[], run: () => Promise<Outcome>): Promise<void> {
  const missing = needs.filter((need) => !outcomes.get(need)?.ok);
  if (missing.length > 0) {
    outcomes.set(name, { ok: false, note: `not run: ${missing.join(', ')} failed` });
    return;
  }
  console.log(`\n━━ ${name} ━━`);
  outcomes.set(name, await run());
}

mkdirSync(RESULTS_DIR, { recursive: true });
await stage('dependencies', [], () => stepStage(ensureDependencies));
await stage('check', ['dependencies'], async () => ({
  ok: (await runCommand('node', ['scripts/check.ts'], { cwd: REPO_ROOT })) === 0,
}));
await stage('unit', ['dependencies'], () => vitestStage('unit'));
await stage('images', ['dependencies'], () =>
  stepStage(async () => {
    const engine = await checkDockerEngine();
    if (!engine.reachable)
      throw new Error(`No Docker Engine is reachable (${engine.reason}).\n${ENGINE_HELP}`);
    console.log(`Docker Engine ${engine.version}`);
    await ensureImages();
  }),
);
await stage('integration', ['images'], () => vitestStage('integration'));
await stage('doctest', ['images'], async () => {
  const reportFile = join(RESULTS_DIR, 'doctest.json');
  rmSync(reportFile, { force: true });
  const code = await runCommand('node', ['scripts/doctest.ts'], { cwd: REPO_ROOT });
  const counts = readDoctestCounts(reportFile);
  return counts ? { ok: code === 0, counts } : { ok: code === 0 };
});
await stage('container', ['images'], async () => ({
  ok: (await runCommand('node', ['scripts/test-container.ts'], { cwd: REPO_ROOT })) === 0,
}));
await stage('cluster', ['images'], async () => {
  const outputFile = join(RESULTS_DIR, 'vitest-cluster.json');
  rmSync(outputFile, { force: true });
  const code = await runCommand(
    'node',
    ['scripts/test-cluster.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`],
    { cwd: REPO_ROOT },
  );
  const counts = readVitestCounts(outputFile);
  return counts ? { ok: code === 0, counts } : { ok: code === 0 };
});
await stage('site', ['dependencies'], () => stepStage(() => ensureSiteBuilt({ force: true })));
await stage('build', ['site'], () => vitestStage('build'));
await stage('e2e', ['site', 'images'], async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    return {
      ok: false,
      note: `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
    };
  }
  const outputFile = join(RESULTS_DIR, 'e2e.json');
  rmSync(outputFile, { force: true });
  // Ports nobody holds, so a server a developer left running cannot collide with the tests'.
  const env = {
    ...process.env,
    E2E_PORT: process.env.E2E_PORT ?? String(await freePort()),
    E2E_CROSS_ORIGIN_PORT: process.env.E2E_CROSS_ORIGIN_PORT ?? String(await freePort()),
  };
  const code = await runCommand('npx', ['playwright', 'test'], { cwd: REPO_ROOT, env });
  const counts = readPlaywrightCounts(outputFile);
  return counts ? { ok: code === 0, counts } : { ok: code === 0 };
});

console.log('\n━━ summary ━━');
const totals: Counts = { passed: 0, failed: 0 };
for (const [name, outcome] of outcomes) {
  const counts = outcome.counts ? ` ${outcome.counts.passed} passed, ${outcome.counts.failed} failed` : '';
  console.log(
    `${outcome.ok ? '✓' : '✗'} ${name.padEnd(12)}${counts}${outcome.note ? `  ${outcome.note}` : ''}`,
  );
  totals.passed += outcome.counts?.passed ?? 0;
  totals.failed += outcome.counts?.failed ?? (outcome.ok ? 0 : 1);
}
const allOk = [...outcomes.values()].every((outcome) => outcome.ok);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(allOk ? 0 : 1);
