import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { DIST_DIR, readPage } from '../../scripts/lib/dist-pages.ts';
import { LOCALES, PAGES, pagesIn, REPO_ROOT, SITE_CONFIG } from '../../site/content/site-pages.ts';
import { markdownStrings } from '../../site/llms/markdown-strings.ts';
import { extractRunnableBlocks } from '../../site/runnable-blocks.ts';

const recordings = JSON.parse(
  readFileSync(join(REPO_ROOT, 'content/recorded-outputs.json'), 'utf8'),
) as Record<string, { exitCode: number | null }>;
const readDist = (sitePath: string) => readFileSync(join(DIST_DIR, sitePath), 'utf8');
/** Where llms.txt of a language is: the first configured language's at the root. */
const llmsDir = (locale: string) => (locale === SITE_CONFIG.languages[0] ? '/' : `/${locale}/`);

describe('every page as Markdown', () => {
  it.each(PAGES)(
    '$path has index.md with its title, description and no MDX left',
    ({ path, title, description }) => {
      const markdown = readDist(`${path}index.md`);
      expect(markdown.startsWith(`# ${title}\n\n> ${description}\n`)).toBe(true);
      expect(markdown).not.toMatch(/^import\s/m);
      expect(markdown).not.toMatch(/<\/?(Card|CardGrid|LinkCard|Steps|Tabs|TabItem|Overhead\w+)\b/);
    },
  );

  it.each(PAGES)('$path shows each runnable block with its recorded output', ({ path, file, locale }) => {
    const markdown = readDist(`${path}index.md`);
    const strings = markdownStrings(locale);
    const { blocks } = extractRunnableBlocks(readFileSync(join(REPO_ROOT, file), 'utf8'));
    const recorded = blocks.filter((block) => recordings[block.spec.hash] !== undefined);
    const count = (text: string) => markdown.split(text).length - 1;
    expect(count(strings.runnable('docker')) + count(strings.runnable('shell'))).toBe(blocks.length);
    for (const block of recorded) {
      const label = strings.recordedOutput(recordings[block.spec.hash]?.exitCode ?? null);
      const firstLine = block.code.split('\n')[0] ?? '';
      const after = markdown.slice(markdown.indexOf(firstLine));
      expect(after).toContain(label);
    }
    expect(count(strings.recordedOutput(0).replace(/[（(].*$/, ''))).toBe(recorded.length);
  });
});

describe('llms.txt and llms-full.txt', () => {
  it.each(LOCALES)('llms.txt (%s) links every page of its language to its Markdown', (locale) => {
    const text = readDist(`${llmsDir(locale)}llms.txt`);
    expect(text.startsWith(`# ${SITE_CONFIG.title[locale]}\n\n> `)).toBe(true);
    const links = [...text.matchAll(/^- \[([^\]]+)\]\(([^)]+)\): (.+)$/gm)].map(([, title, href]) => ({
      title,
      href,
    }));
    expect(links.map((link) => link.href).sort()).toEqual(
      pagesIn(locale)
        .map((page) => `${page.path}index.md`)
        .sort(),
    );
    for (const { href } of links) expect(existsSync(join(DIST_DIR, href ?? ''))).toBe(true);
    for (const section of SITE_CONFIG.sections) expect(text).toContain(`## ${section.label[locale]}\n`);
  });

  it.each(LOCALES)('llms-full.txt (%s) holds every page of its language in reading order', (locale) => {
    const text = readDist(`${llmsDir(locale)}llms-full.txt`);
    const positions = pagesIn(locale).map((page) => text.indexOf(readDist(`${page.path}index.md`)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});

describe('the link to the Markdown version', () => {
  it.each(PAGES.filter((page) => page.slug !== 'index'))(
    '$path has it under the title, in its language, without a script',
    ({ path, locale }) => {
      const link = parse(readPage(path)).querySelector('.markdown-version a');
      expect(link?.getAttribute('href')).toBe(`${path}index.md`);
      expect(link?.text.trim()).toBe(markdownStrings(locale).viewMarkdown);
      expect(readPage(path)).not.toContain('copy-markdown');
    },
  );
});
