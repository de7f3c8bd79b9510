/**
 * `npm run budgets`: prints the gzipped JS and CSS each page ships and fails
 * when a page is over budget (JS ≤ 30 kB, CSS ≤ 20 kB gzipped) or the Run buttons add more than 15 kB of JS.
 */
import { PAGES } from '../site/content/site-pages.ts';
import {
  CSS_BUDGET_GZIP_BYTES,
  JS_BUDGET_GZIP_BYTES,
  measurePageWeight,
  moduleGraphGzipBytes,
  RUN_FEATURE_JS_BUDGET_GZIP_BYTES,
  runFeatureScript,
} from './lib/page-weight.ts';

const kB = (bytes: number): string => (bytes / 1024).toFixed(1);
const paths = PAGES.map((page) => page.path);

let overBudget = 0;
console.log(`${'page'.padEnd(22)} ${'JS kB gz'.padStart(9)} ${'CSS kB gz'.padStart(10)}`);
for (const path of paths) {
  const weight = measurePageWeight(path);
  const over = weight.jsGzipBytes > JS_BUDGET_GZIP_BYTES || weight.cssGzipBytes > CSS_BUDGET_GZIP_BYTES;
  if (over) overBudget += 1;
  console.log(
    `${path.padEnd(22)} ${kB(weight.jsGzipBytes).padStart(9)} ${kB(weight.cssGzipBytes).padStart(10)}${over ? '  OVER BUDGET' : ''}`,
  );
}
console.log(`budgets: JS ≤ ${kB(JS_BUDGET_GZIP_BYTES)} kB, CSS ≤ ${kB(CSS_BUDGET_GZIP_BYTES)} kB (gzipped)`);

const runScript = paths.map((path) => runFeatureScript(path)).find((script) => script !== undefined);
if (runScript) {
  const runJs = moduleGraphGzipBytes(runScript);
  const over = runJs > RUN_FEATURE_JS_BUDGET_GZIP_BYTES;
  if (over) overBudget += 1;
  console.log(
    `run feature (Run buttons, on pages with runnable blocks): ${kB(runJs)} kB JS gz, budget ${kB(RUN_FEATURE_JS_BUDGET_GZIP_BYTES)} kB${over ? '  OVER BUDGET' : ''}`,
  );
}
if (overBudget > 0) process.exit(1);
