import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineSiteConfig, type SiteConfig } from '../../../site/config/site-config.ts';
import { ContentError, discoverContent, formatProblem, loadContent } from '../../../site/content/pages.ts';
import { buildSidebar } from '../../../site/content/sidebar.ts';

const FENCE = '```';
const BILINGUAL: SiteConfig = defineSiteConfig({
  languages: ['zh-cn', 'en'],
  title: { 'zh-cn': '团队', en: 'Team' },
  sections: [
    { id: 'guides', label: { 'zh-cn': '指南', en: 'Guides' } },
    { id: 'reference', label: { 'zh-cn': '参考', en: 'Reference' } },
  ],
  lastUpdated: false,
});

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dockyard-pages-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function page(file: string, frontmatter: string, body = 'Some text.'): void {
  const path = join(root, 'content/docs', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `---\n${frontmatter}\n---\n\n${body}\n`);
}

function chapter(file: string, section: string, order: number, title = 'A page'): void {
  page(
    file,
    `title: ${title}\ndescription: What it is about.\nsection: ${section}\nsidebar:\n  order: ${order}`,
  );
}

function problems(config: SiteConfig = BILINGUAL): string[] {
  return discoverContent(root, config).problems.map(formatProblem);
}

describe('discovering pages', () => {
  it('finds every page of each language, in section and sidebar order, with its URL', () => {
    page('index.mdx', 'title: 首页\ndescription: 首页。');
    chapter('zeta.mdx', 'guides', 10);
    chapter('alpha.mdx', 'guides', 20);
    chapter('team/onboarding.mdx', 'reference', 5);
    chapter('en/zeta.mdx', 'guides', 10);
    const pages = loadContent(root, BILINGUAL);
    expect(pages.map((p) => [p.locale, p.slug, p.path, p.file])).toEqual([
      ['zh-cn', 'index', '/', 'content/docs/index.mdx'],
      ['zh-cn', 'zeta', '/zeta/', 'content/docs/zeta.mdx'],
      ['zh-cn', 'alpha', '/alpha/', 'content/docs/alpha.mdx'],
      ['zh-cn', 'team/onboarding', '/team/onboarding/', 'content/docs/team/onboarding.mdx'],
      ['en', 'zeta', '/en/zeta/', 'content/docs/en/zeta.mdx'],
    ]);
  });

  it('skips files starting with an underscore and pages hidden from the sidebar need no section', () => {
    page('_draft.mdx', 'title: x');
    page('hidden.mdx', 'title: Hidden\ndescription: Not in the sidebar.\nsidebar:\n  hidden: true');
    expect(problems()).toEqual([]);
    expect(loadContent(root, BILINGUAL).map((p) => [p.slug, p.section])).toEqual([['hidden', undefined]]);
  });

  it('builds only the configured language of a single-language site', () => {
    chapter('zeta.mdx', 'guides', 10);
    chapter('en/zeta.mdx', 'guides', 10);
    const english = defineSiteConfig({ ...BILINGUAL, languages: ['en'] });
    expect(loadContent(root, english).map((p) => p.path)).toEqual(['/en/zeta/']);
    const chinese = defineSiteConfig({ ...BILINGUAL, languages: ['zh-cn'] });
    expect(loadContent(root, chinese).map((p) => p.path)).toEqual(['/zeta/']);
  });
});

describe('content problems name the file, the line and the field', () => {
  it('a page without a section or order', () => {
    page('new.mdx', 'title: New\ndescription: A new chapter.');
    expect(problems()).toEqual([
      'content/docs/new.mdx:1: section: missing: one of guides, reference (sections are listed in dockyard.config.ts)',
      "content/docs/new.mdx:1: sidebar.order: missing: the page's place in its section (sidebar:\\n  order: 10)",
    ]);
  });

  it('an unknown section and an order that is not a number, at their own lines', () => {
    page('new.mdx', 'title: New\ndescription: A new chapter.\nsection: guide\nsidebar:\n  order: first');
    expect(problems()).toEqual([
      'content/docs/new.mdx:4: section: "guide" is not a section: one of guides, reference (sections are listed in dockyard.config.ts)',
      "content/docs/new.mdx:6: sidebar.order: must be a number: the page's place in its section (sidebar:\\n  order: 10)",
    ]);
  });

  it('a missing title and an empty description', () => {
    page('index.mdx', 'description: ""');
    expect(problems()).toEqual([
      'content/docs/index.mdx:1: title: missing (a non-empty text)',
      'content/docs/index.mdx:2: description: must be a non-empty text',
    ]);
  });

  it('broken YAML and a file without frontmatter', () => {
    page('index.mdx', 'title: [unclosed\ndescription: x');
    writeFileSync(join(root, 'content/docs/plain.md'), '# Plain\n');
    const found = problems();
    expect(found[0]).toMatch(/^content\/docs\/index\.mdx:\d+: frontmatter: invalid YAML: /);
    expect(found[1]).toBe(
      'content/docs/plain.md:1: frontmatter: the file must start with a `---` frontmatter block',
    );
  });

  it('a file name that cannot be a URL', () => {
    chapter('My Page.mdx', 'guides', 10);
    expect(problems()).toEqual([
      'content/docs/My Page.mdx:1: file name: use lowercase letters, digits and hyphens: the file name is the page URL',
    ]);
  });

  it('runnable-block meta: a misspelt word, a wrong runner, Dockerfile-only words, a stray output fence', () => {
    const body = [
      `${FENCE}sh run expect-eror`,
      'false',
      FENCE,
      '',
      `${FENCE}sh run runner=python`,
      'echo hi',
      FENCE,
      '',
      `${FENCE}sh run tag=mine title="fine" {1}`,
      'echo hi',
      FENCE,
      '',
      'Some prose.',
      '',
      `${FENCE}text output`,
      'hi',
      FENCE,
    ].join('\n');
    page('index.mdx', 'title: T\ndescription: D.', body);
    // The body starts on line 6 (4 lines of frontmatter, a blank line).
    expect(problems()).toEqual([
      'content/docs/index.mdx:6: meta: unknown word "expect-eror" on a run block (ours: run, runner, expect-error, tag, context)',
      'content/docs/index.mdx:10: meta: runner=python: the runner is "docker" or "shell"',
      'content/docs/index.mdx:14: meta: "tag" applies to dockerfile blocks only',
      'content/docs/index.mdx:20: meta: an `output` fence states the output of the block marked `run` right before it; there is none',
    ]);
  });

  it('a translation without an original, or in another place than its original', () => {
    chapter('a.mdx', 'guides', 10);
    chapter('en/a.mdx', 'guides', 20);
    chapter('en/b.mdx', 'guides', 30);
    expect(problems()).toEqual([
      'content/docs/en/a.mdx:1: section: section and sidebar.order must match content/docs/a.mdx (guides, 10)',
      'content/docs/en/b.mdx:1: file name: no zh-cn page with this name: the sidebar is built from the zh-cn pages',
    ]);
  });

  it('loadContent throws one error listing them all', () => {
    page('a.mdx', 'title: A');
    expect(() => loadContent(root, BILINGUAL)).toThrow(ContentError);
    expect(() => loadContent(root, BILINGUAL)).toThrow(/content\/docs\/a\.mdx:1: description: missing/);
  });
});

describe('the sidebar', () => {
  it('is a flat list when every page is in one section', () => {
    chapter('b.mdx', 'guides', 20);
    chapter('a.mdx', 'guides', 10);
    expect(buildSidebar(loadContent(root, BILINGUAL), BILINGUAL)).toEqual(['a', 'b']);
  });

  it('has one group per section with pages, in config order, labelled in each language', () => {
    chapter('ref.mdx', 'reference', 10);
    chapter('guide.mdx', 'guides', 10);
    expect(buildSidebar(loadContent(root, BILINGUAL), BILINGUAL)).toEqual([
      { label: '指南', translations: { en: 'Guides' }, items: ['guide'] },
      { label: '参考', translations: { en: 'Reference' }, items: ['ref'] },
    ]);
  });
});

describe('dockyard.config.ts is checked', () => {
  it('names each wrong field', () => {
    expect(() =>
      defineSiteConfig({
        ...BILINGUAL,
        languages: ['en', 'zh-cn'],
        sections: [{ id: 'Guides', label: { 'zh-cn': '指南' } }],
        editLink: { baseUrl: 'git.example/edit' },
      }),
    ).toThrow(
      [
        'dockyard.config.ts is invalid:',
        '  languages: Chinese pages are the root of the site, so a bilingual site lists zh-cn first',
        '  sections[0].label: no text for en',
        '  sections[0].id: "Guides" is not a lowercase id',
        '  editLink.baseUrl: an http(s) URL ending in "/"',
      ].join('\n'),
    );
  });
});
