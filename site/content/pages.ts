/**
 * The site's pages, discovered from content/docs: one file per page and language (Chinese at the
 * root of content/docs, English under content/docs/en), grouped and ordered by their frontmatter
 * (`section`, `sidebar.order`). The Astro config builds the sidebar from this; scripts and tests
 * use it to know which pages exist. Problems are reported as `file:line: field: message`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Locale, localeInfos, pagePath, type SiteConfig } from '../config/site-config.ts';
import { checkBlockMeta } from './block-meta.ts';
import { FrontmatterError, parseFrontmatter } from './frontmatter.ts';

export interface ContentPage {
  readonly locale: Locale;
  /** `index` for a language's landing page; may contain `/` for pages in subdirectories. */
  readonly slug: string;
  /** Path relative to the repository root. */
  readonly file: string;
  /** URL path, with the trailing slash. */
  readonly path: string;
  readonly title: string;
  readonly description: string;
  /** Sidebar pages only (not the landing page, not `sidebar.hidden`). */
  readonly section?: string;
  readonly order?: number;
}

export interface ContentProblem {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export class ContentError extends Error {
  override name = 'ContentError';
  readonly problems: readonly ContentProblem[];
  constructor(problems: readonly ContentProblem[]) {
    super(`content/docs has ${problems.length} problem(s):\n  ${problems.map(formatProblem).join('\n  ')}`);
    this.problems = problems;
  }
}

export function formatProblem({ file, line, field, message }: ContentProblem): string {
  return `${file}:${line}: ${field}: ${message}`;
}

const PAGE_FILE = /\.mdx?$/;
const SLUG_SEGMENT = /^[a-z0-9][a-z0-9-]*$/;

/** Page files of one language, relative to its directory (Chinese files exclude the en/ tree). */
function listPageFiles(directory: string, locale: Locale): string[] {
  let entries: string[];
  try {
    entries = readdirSync(directory, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .map((entry) => entry.split('\\').join('/'))
    .filter((entry) => PAGE_FILE.test(entry))
    .filter((entry) => !entry.split('/').some((part) => part.startsWith('_')))
    .filter((entry) => locale !== 'zh-cn' || !entry.startsWith('en/'))
    .sort();
}

function slugOf(relativeFile: string): string {
  const withoutExtension = relativeFile.replace(PAGE_FILE, '');
  return withoutExtension === 'index' ? 'index' : withoutExtension.replace(/\/index$/, '');
}

function readPage(
  root: string,
  config: SiteConfig,
  locale: Locale,
  contentDir: string,
  relativeFile: string,
  problems: ContentProblem[],
): ContentPage | undefined {
  const file = join(contentDir, relativeFile);
  const source = readFileSync(join(root, file), 'utf8');
  const problem = (line: number, field: string, message: string) =>
    problems.push({ file, line, field, message });
  const slug = slugOf(relativeFile);
  if (!slug.split('/').every((segment) => SLUG_SEGMENT.test(segment))) {
    problem(1, 'file name', 'use lowercase letters, digits and hyphens: the file name is the page URL');
  }
  for (const block of checkBlockMeta(source)) problem(block.line, 'meta', block.message);
  let frontmatter: ReturnType<typeof parseFrontmatter>;
  try {
    frontmatter = parseFrontmatter(source);
  } catch (error) {
    if (!(error instanceof FrontmatterError)) throw error;
    problem(error.line, 'frontmatter', error.message);
    return undefined;
  }
  const { data, lineOf } = frontmatter;
  const text = (field: 'title' | 'description'): string => {
    const value = data[field];
    if (typeof value === 'string' && value.trim() !== '') return value;
    problem(
      lineOf(field),
      field,
      value === undefined ? 'missing (a non-empty text)' : 'must be a non-empty text',
    );
    return '';
  };
  const title = text('title');
  const description = text('description');
  const sidebar = (data.sidebar ?? {}) as Record<string, unknown>;
  const inSidebar = slug !== 'index' && sidebar.hidden !== true;
  const page: ContentPage = { locale, slug, file, path: pagePath(locale, slug), title, description };
  if (!inSidebar) return page;

  const sectionIds = config.sections.map((section) => section.id);
  const section = data.section;
  if (typeof section !== 'string' || !sectionIds.includes(section)) {
    problem(
      lineOf('section'),
      'section',
      `${section === undefined ? 'missing' : `"${String(section)}" is not a section`}: one of ${sectionIds.join(', ')} (sections are listed in dockyard.config.ts)`,
    );
  }
  const order = sidebar.order;
  if (typeof order !== 'number' || !Number.isFinite(order)) {
    problem(
      lineOf('sidebar.order'),
      'sidebar.order',
      `${order === undefined ? 'missing' : 'must be a number'}: the page's place in its section (sidebar:\\n  order: 10)`,
    );
  }
  return {
    ...page,
    ...(typeof section === 'string' ? { section } : {}),
    ...(typeof order === 'number' ? { order } : {}),
  };
}

/** Every page of every configured language, and what is wrong with them. */
export function discoverContent(
  root: string,
  config: SiteConfig,
): { pages: ContentPage[]; problems: ContentProblem[] } {
  const problems: ContentProblem[] = [];
  const pages: ContentPage[] = [];
  for (const { locale, contentDir } of localeInfos(config)) {
    for (const relativeFile of listPageFiles(join(root, contentDir), locale)) {
      const page = readPage(root, config, locale, contentDir, relativeFile, problems);
      if (page) pages.push(page);
    }
  }
  const [defaultLocale] = config.languages;
  const originals = new Map(
    pages.filter((page) => page.locale === defaultLocale).map((page) => [page.slug, page]),
  );
  for (const page of pages) {
    if (page.locale === defaultLocale) continue;
    const original = originals.get(page.slug);
    if (!original) {
      problems.push({
        file: page.file,
        line: 1,
        field: 'file name',
        message: `no ${defaultLocale} page with this name: the sidebar is built from the ${defaultLocale} pages`,
      });
    } else if (original.section !== page.section || original.order !== page.order) {
      problems.push({
        file: page.file,
        line: 1,
        field: 'section',
        message: `section and sidebar.order must match ${original.file} (${original.section}, ${original.order})`,
      });
    }
  }
  return { pages: sortPages(pages, config), problems };
}

/** Pages in reading order: landing pages first, then sidebar pages by section, order and slug. */
function sortPages(pages: ContentPage[], config: SiteConfig): ContentPage[] {
  const sectionIndex = (page: ContentPage) =>
    page.slug === 'index'
      ? -2
      : page.section === undefined
        ? -1
        : config.sections.findIndex((s) => s.id === page.section);
  const localeIndex = (page: ContentPage) => config.languages.indexOf(page.locale);
  return [...pages].sort(
    (a, b) =>
      localeIndex(a) - localeIndex(b) ||
      sectionIndex(a) - sectionIndex(b) ||
      (a.order ?? 0) - (b.order ?? 0) ||
      a.slug.localeCompare(b.slug),
  );
}

/** The pages, or a ContentError listing every problem. */
export function loadContent(root: string, config: SiteConfig): ContentPage[] {
  const { pages, problems } = discoverContent(root, config);
  if (problems.length > 0) throw new ContentError(problems);
  return pages;
}
