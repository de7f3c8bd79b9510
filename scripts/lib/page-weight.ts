/**
 * What a page makes the browser download up front: JavaScript (module scripts,
 * their static imports, inline scripts) and CSS (stylesheets, inline styles),
 * gzipped. Dynamic imports (Pagefind's index, loaded when search opens) are not
 * counted, as in Starlight's own budgets.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parse } from 'node-html-parser';
import { DIST_DIR, fileForSitePath, readPage } from './dist-pages.ts';

export const JS_BUDGET_GZIP_BYTES = 30 * 1024;
export const CSS_BUDGET_GZIP_BYTES = 20 * 1024;
/** What the Run buttons (site/run-block/) may add to a page that has runnable blocks. */
export const RUN_FEATURE_JS_BUDGET_GZIP_BYTES = 15 * 1024;

export interface PageWeight {
  path: string;
  jsGzipBytes: number;
  cssGzipBytes: number;
}

const STATIC_IMPORT = /(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g;

function gzipSize(text: string): number {
  return text.length === 0 ? 0 : gzipSync(text).length;
}

function readAsset(sitePath: string, distDir: string): string {
  const file = fileForSitePath(sitePath, distDir);
  if (!file) throw new Error(`Asset ${sitePath} is referenced but missing from dist/`);
  return readFileSync(file, 'utf8');
}

/** A module script and everything it imports statically, each file once. */
function collectModuleGraph(entry: string, distDir: string, seen: Set<string>): void {
  if (seen.has(entry)) return;
  seen.add(entry);
  for (const match of readAsset(entry, distDir).matchAll(STATIC_IMPORT)) {
    const specifier = match[1];
    if (specifier) collectModuleGraph(new URL(specifier, `http://site${entry}`).pathname, distDir, seen);
  }
}

/**
 * The module script of the Run buttons on a page (Astro names a component's
 * bundled script after the component: site/components/RunBlockScript.astro),
 * or undefined when the page loads none.
 */
export function runFeatureScript(path: string, distDir = DIST_DIR): string | undefined {
  const src = parse(readPage(path, distDir))
    .querySelectorAll('script[type="module"][src]')
    .map((script) => script.getAttribute('src') ?? '')
    .find((source) => source.includes('/RunBlockScript.'));
  return src === undefined ? undefined : new URL(src, `http://site${path}`).pathname;
}

/** Gzipped size of a module script and everything it imports statically. */
export function moduleGraphGzipBytes(entry: string, distDir = DIST_DIR): number {
  const modules = new Set<string>();
  collectModuleGraph(entry, distDir, modules);
  return [...modules].reduce((sum, module) => sum + gzipSize(readAsset(module, distDir)), 0);
}

export function measurePageWeight(path: string, distDir = DIST_DIR): PageWeight {
  const root = parse(readPage(path, distDir));
  const modules = new Set<string>();
  let inlineJs = '';
  for (const script of root.querySelectorAll('script')) {
    const src = script.getAttribute('src');
    const type = script.getAttribute('type');
    if (type && type !== 'module' && type !== 'text/javascript') continue;
    if (src) collectModuleGraph(new URL(src, `http://site${path}`).pathname, distDir, modules);
    else inlineJs += script.text;
  }
  const jsGzipBytes =
    gzipSize(inlineJs) + [...modules].reduce((sum, module) => sum + gzipSize(readAsset(module, distDir)), 0);

  const stylesheets = root
    .querySelectorAll('link[rel="stylesheet"]')
    .map((link) => new URL(link.getAttribute('href') ?? '', `http://site${path}`).pathname);
  const inlineCss = root
    .querySelectorAll('style')
    .map((style) => style.text)
    .join('\n');
  const cssGzipBytes =
    gzipSize(inlineCss) + stylesheets.reduce((sum, sheet) => sum + gzipSize(readAsset(sheet, distDir)), 0);

  return { path, jsGzipBytes, cssGzipBytes };
}
