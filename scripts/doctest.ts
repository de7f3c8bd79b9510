/**
 * `npm run doctest`: runs every block marked `run` in every chapter of both languages through the
 * real sandbox server and checks it (exit code; the `output` fence if there is one), and checks
 * every exercise both ways (its verify script fails untouched, passes after the solution). See
 * content/README.md for the conventions.
 *
 *   npm run doctest                      start a server on a free port, run everything
 *   npm run doctest -- --record          also write the real outputs to content/recorded-outputs.json
 *   npm run doctest -- --page commands --locale en
 *   npm run doctest -- --server http://127.0.0.1:4321    use a server that is already running
 *   npm run doctest -- --list            list the runnable blocks and exercises, run nothing
 *   npm run doctest -- --exercises       check the exercises only, not the pages' other blocks
 *
 * Writes test-results/doctest.json (counts per language, failures) for scripts/test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPages } from './lib/doctest/pages.ts';
import {
  mergeRecordedOutputs,
  type RecordedOutput,
  readRecordedOutputs,
  writeRecordedOutputs,
} from './lib/doctest/recorded-outputs.ts';
import { formatFailures, formatPageLine, formatSummary, summarize } from './lib/doctest/report.ts';
import { runPages } from './lib/doctest/run-pages.ts';
import { SandboxClient } from './lib/doctest/sandbox-client.ts';
import { type ServerProcess, startSandboxServer } from './lib/doctest/server-process.ts';
import { REPO_ROOT } from './lib/prepare.ts';

/** Pages run at once. Each docker page holds a playground; two cores do not gain from more. */
const DEFAULT_PAGE_CONCURRENCY = 2;
const RECORDED_OUTPUTS_FILE = join(REPO_ROOT, 'content/recorded-outputs.json');
const RESULTS_DIR = join(REPO_ROOT, 'test-results');

const { values: options } = parseArgs({
  options: {
    record: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    exercises: { type: 'boolean', default: false },
    server: { type: 'string' },
    page: { type: 'string', multiple: true },
    locale: { type: 'string', multiple: true },
    concurrency: { type: 'string', default: String(DEFAULT_PAGE_CONCURRENCY) },
  },
});

const concurrency = Number(options.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`--concurrency must be a positive integer (got ${options.concurrency})`);
  process.exit(2);
}
const splitList = (values: string[] | undefined) => values?.flatMap((value) => value.split(','));
const pageSlugs = splitList(options.page);
const locales = splitList(options.locale);
const pages = loadPages(REPO_ROOT, {
  ...(pageSlugs ? { slugs: pageSlugs } : {}),
  ...(locales ? { locales } : {}),
}).map((page) => (options.exercises ? { ...page, blocks: [] } : page));

if (options.list) {
  for (const page of pages) {
    for (const block of page.blocks) {
      const flags = [
        block.spec.runner,
        block.spec.expectError ? 'expect-error' : '',
        block.expectedOutput ? 'output' : '',
      ]
        .filter(Boolean)
        .join(' ');
      console.log(`${page.file}:${block.line}  [${flags}]  ${block.code.split('\n')[0]}`);
    }
    for (const block of page.invalid) console.log(`${page.file}:${block.line}  [invalid] ${block.problem}`);
    for (const exercise of page.exercises) {
      console.log(
        `${page.file}:${exercise.line}  [exercise] ${exercise.id}, ${exercise.solution.length} solution blocks`,
      );
    }
  }
  process.exit(0);
}

mkdirSync(RESULTS_DIR, { recursive: true });
const started = Date.now();
let server: ServerProcess | undefined;
const serverUrl = options.server ?? process.env.DOCTEST_SERVER_URL;
if (serverUrl === undefined) {
  console.log('» Starting the sandbox server…');
  try {
    server = await startSandboxServer(REPO_ROOT, RESULTS_DIR);
  } catch (error) {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`  ${server.url} (log: ${server.logFile})`);
}
const client = new SandboxClient(serverUrl ?? (server as ServerProcess).url);

const total = pages.reduce((sum, page) => sum + page.blocks.length + page.invalid.length, 0);
const exercises = pages.reduce((sum, page) => sum + page.exercises.length, 0);
console.log(
  `» Running ${total} blocks and checking ${exercises} exercises of ${pages.filter((page) => page.blocks.length + page.exercises.length > 0).length} pages…`,
);
let outcomes: Awaited<ReturnType<typeof runPages>>;
try {
  outcomes = await runPages(client, pages, concurrency, (outcome) => console.log(formatPageLine(outcome)));
} finally {
  await server?.stop();
}

const summary = summarize(outcomes, Date.now() - started);
const failed = outcomes.flatMap((outcome) => outcome.blocks.filter((block) => !block.passed));
if (failed.length > 0) {
  console.log(`\n━━ ${failed.length} failed ━━\n`);
  console.log(formatFailures(outcomes));
}

const previous = readRecordedOutputs(RECORDED_OUTPUTS_FILE);
const liveHashes = new Set(
  loadPages(REPO_ROOT).flatMap((page) =>
    [...page.blocks, ...page.exercises.flatMap((exercise) => exercise.solution)].map(
      (block) => block.spec.hash,
    ),
  ),
);
if (options.record) {
  const fresh = new Map<string, RecordedOutput>();
  for (const outcome of outcomes.flatMap((page) => page.blocks)) {
    if (!outcome.passed || !outcome.result || !outcome.recordedAt || !('spec' in outcome.block)) continue;
    const { stdout, stderr, exitCode } = outcome.result;
    fresh.set(outcome.block.spec.hash, { stdout, stderr, exitCode, recordedAt: outcome.recordedAt });
  }
  writeRecordedOutputs(RECORDED_OUTPUTS_FILE, mergeRecordedOutputs(previous, fresh, liveHashes));
  console.log(
    `\nRecorded ${fresh.size} outputs in content/recorded-outputs.json (failed blocks keep their old one).`,
  );
} else {
  const missing = [...liveHashes].filter((hash) => !(hash in previous)).length;
  if (missing > 0) {
    console.log(
      `\nnote: ${missing} runnable blocks have no recorded output yet (npm run doctest -- --record).`,
    );
  }
}

writeFileSync(join(RESULTS_DIR, 'doctest.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\n${formatSummary(summary)}\n(${(summary.durationMs / 1000).toFixed(0)} s)`);
process.exit(failed.length === 0 ? 0 : 1);
