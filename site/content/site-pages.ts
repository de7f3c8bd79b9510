/**
 * This repository's site: its configuration (dockyard.config.ts) and its pages. Scripts and
 * tests import this to know which pages exist and where they are served.
 */
import { fileURLToPath } from 'node:url';
import config from '../../dockyard.config.ts';
import type { Locale } from '../config/site-config.ts';
import { type ContentPage, loadContent } from './pages.ts';

export { type Locale, pagePath } from '../config/site-config.ts';
export type { ContentPage } from './pages.ts';

// In Node (scripts, tests) this file sits at site/content/; in Astro's bundled build code it does
// not, and astro.config.mjs passes the root instead. `import.meta.env` is undefined in plain Node.
export const REPO_ROOT: string =
  (import.meta.env as ImportMetaEnv | undefined)?.DOCKYARD_ROOT ??
  fileURLToPath(new URL('../../', import.meta.url));
export const SITE_CONFIG = config;
/** The configured languages; the first is served at `/`. */
export const LOCALES: readonly Locale[] = config.languages;
/** Every page of every configured language, in reading order. */
export const PAGES: readonly ContentPage[] = loadContent(REPO_ROOT, config);

/** The pages of one language, in reading order. */
export function pagesIn(locale: Locale): ContentPage[] {
  return PAGES.filter((page) => page.locale === locale);
}

/** The pages of one language listed in the sidebar, in sidebar order. */
export function sidebarPagesIn(locale: Locale): ContentPage[] {
  return pagesIn(locale).filter((page) => page.section !== undefined);
}
