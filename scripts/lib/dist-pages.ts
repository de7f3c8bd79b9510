/**
 * Reading the built site in dist/: which HTML pages exist and what they link to.
 * Shared by the build tests and the budget script.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const DIST_DIR = new URL('../../dist/', import.meta.url).pathname;

/** Every HTML file in dist/, as site paths (`/en/volumes/` for `en/volumes/index.html`). */
export function listHtmlPages(distDir = DIST_DIR): string[] {
  return readdirSync(distDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => `/${relative(distDir, join(entry.parentPath, entry.name))}`)
    .map((path) => path.replace(/index\.html$/, ''))
    .sort();
}

/** The file that serves a site path, or undefined when none does. */
export function fileForSitePath(sitePath: string, distDir = DIST_DIR): string | undefined {
  const clean = decodeURIComponent(sitePath.split(/[?#]/)[0] ?? '/');
  const candidates = clean.endsWith('/')
    ? [join(distDir, clean, 'index.html')]
    : [join(distDir, clean), join(distDir, clean, 'index.html'), join(distDir, `${clean}.html`)];
  return candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
}

export function readPage(sitePath: string, distDir = DIST_DIR): string {
  const file = fileForSitePath(sitePath, distDir);
  if (!file) throw new Error(`No page in dist/ for ${sitePath}`);
  return readFileSync(file, 'utf8');
}
