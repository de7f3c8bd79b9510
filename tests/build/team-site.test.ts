/**
 * A team's site: a copy of this repository configured for one language (English), with the
 * team's own section first, edit links and last-updated dates, plus a fixture page
 * (tests/fixtures/team-page.mdx) and a page scaffolded with `npm run new:page`. Built for real
 * in a temporary directory, then checked like the main build.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHtmlPages, readPage } from '../../scripts/lib/dist-pages.ts';
import { defineSiteConfig } from '../../site/config/site-config.ts';
import { type ContentPage, loadContent } from '../../site/content/pages.ts';
import { REPO_ROOT, SITE_CONFIG } from '../../site/content/site-pages.ts';

const BUILD_TIMEOUT_MS = 900_000;
const EDIT_BASE = 'https://git.example/acme/docs/edit/main/';
const COMMIT_DATE = '2026-01-15T10:00:00Z';
const TEAM_CONFIG = defineSiteConfig({
  languages: ['en'],
  title: { en: 'Acme platform team' },
  // The team's section first, then every section of this repository's pages, in English.
  sections: [
    { id: 'team', label: { en: 'Our runbooks' } },
    ...SITE_CONFIG.sections.map(({ id, label }) => ({ id, label: { en: label.en ?? id } })),
  ],
  editLink: { baseUrl: EDIT_BASE },
  lastUpdated: true,
});
const TEAM_CONFIG_SOURCE = `import { defineSiteConfig } from './site/config/site-config.ts';

export default defineSiteConfig(${JSON.stringify(TEAM_CONFIG, null, 2)});
`;

let site: string;
let dist: string;
let pages: ContentPage[];
let scaffold: ReturnType<typeof spawnSync>;

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd: site, encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

beforeAll(() => {
  // Inside the repository's (ignored) .cache so that Node and Vite find node_modules by walking up,
  // as in a monorepo: a symlinked node_modules makes Vite see every package twice.
  mkdirSync(join(REPO_ROOT, '.cache'), { recursive: true });
  site = mkdtempSync(join(REPO_ROOT, '.cache', 'team-site-'));
  dist = join(site, 'dist');
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const file of files.filter((name) => name !== '' && existsSync(join(REPO_ROOT, name)))) {
    mkdirSync(dirname(join(site, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(site, file));
  }
  writeFileSync(join(site, 'dockyard.config.ts'), TEAM_CONFIG_SOURCE);
  mkdirSync(join(site, 'content/docs/en/team'), { recursive: true });
  copyFileSync(
    join(REPO_ROOT, 'tests/fixtures/team-page.mdx'),
    join(site, 'content/docs/en/team/on-call.mdx'),
  );
  scaffold = run(process.execPath, [
    'scripts/new-page.ts',
    'team/restarts',
    'Restarting a service',
    '--section',
    'team',
  ]);
  // The scaffold's one paragraph is a stub; give it enough text to be a page.
  writeFileSync(
    join(site, 'content/docs/en/team/restarts.mdx'),
    `${spawnSync('cat', ['content/docs/en/team/restarts.mdx'], { cwd: site, encoding: 'utf8' }).stdout}\nRestart with \`docker restart NAME\`, then watch \`docker logs --tail 20 NAME\` until it is healthy again.\n`,
  );
  const gitEnv = {
    GIT_AUTHOR_NAME: 'Fixture',
    GIT_AUTHOR_EMAIL: 'fixture@localhost',
    GIT_COMMITTER_NAME: 'Fixture',
    GIT_COMMITTER_EMAIL: 'fixture@localhost',
    GIT_AUTHOR_DATE: COMMIT_DATE,
    GIT_COMMITTER_DATE: COMMIT_DATE,
  };
  run('git', ['init', '--quiet']);
  run('git', ['add', '--all']);
  run('git', ['commit', '--quiet', '--no-gpg-sign', '-m', 'Team site fixture'], gitEnv);
  run(process.execPath, [join(REPO_ROOT, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    PUBLIC_SANDBOX_URL: '',
  });
  pages = loadContent(site, TEAM_CONFIG);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (site) rmSync(site, { recursive: true, force: true });
});

describe('an English-only team site', () => {
  it('new:page scaffolded the page in the one configured language only', () => {
    expect(String(scaffold.stdout)).toContain('created content/docs/en/team/restarts.mdx');
    expect(existsSync(join(site, 'content/docs/team/restarts.mdx'))).toBe(false);
  });

  it('has the English pages only, the team pages among them', () => {
    const built = listHtmlPages(dist).filter((path) => path !== '/404.html' && path !== '/');
    expect(built).toEqual(pages.map((page) => page.path).sort());
    expect(built).toContain('/en/team/on-call/');
    expect(built).toContain('/en/team/restarts/');
    expect(built).toContain('/en/volumes/');
    expect(built.some((path) => !path.startsWith('/en/'))).toBe(false);
  });

  it('sends / to the English landing page', () => {
    const root = readPage('/', dist);
    expect(root).toMatch(/http-equiv="refresh" content="0;\s*url=\/en\/?"/);
  });

  it('has no language switch and lists the team section first in the sidebar', () => {
    const html = parse(readPage('/en/team/on-call/', dist));
    expect(html.querySelector('html')?.getAttribute('lang')).toBe('en');
    expect(html.querySelector('starlight-lang-select')).toBeNull();
    const sidebar = html.querySelector('nav[aria-label] .sidebar-content');
    expect(sidebar?.querySelectorAll('details summary').map((summary) => summary.text.trim())).toEqual([
      'Our runbooks',
      ...SITE_CONFIG.sections.map((section) => section.label.en ?? section.id),
    ]);
    expect(
      sidebar
        ?.querySelectorAll('a')
        .map((link) => link.getAttribute('href'))
        .slice(0, 3),
    ).toEqual(['/en/team/on-call/', '/en/team/restarts/', '/en/purpose/']);
  });

  it('links each page to its file in the team repository and shows the date of its last commit', () => {
    const html = parse(readPage('/en/team/on-call/', dist));
    expect(html.querySelector(`a[href="${EDIT_BASE}content/docs/en/team/on-call.mdx"]`)?.text).toContain(
      'Edit page',
    );
    expect(html.querySelector('time')?.getAttribute('datetime')).toMatch(/^2026-01-15T/);
  });

  it('gives the runnable blocks of the team page Run buttons', () => {
    const html = parse(readPage('/en/team/on-call/', dist));
    expect(html.querySelectorAll('run-block')).toHaveLength(2);
  });

  it('serves the team page as Markdown and lists it in llms.txt', () => {
    const markdown = readPage('/en/team/on-call/index.md', dist);
    expect(markdown).toContain('# On-call handbook');
    expect(markdown).toContain('Runnable (Docker playground):');
    expect(markdown).toContain('Expected output:');
    expect(markdown).toContain('> **Keep notes**');
    const llms = readPage('/llms.txt', dist);
    expect(llms.startsWith('# Acme platform team\n')).toBe(true);
    expect(llms).toContain('## Our runbooks\n\n- [On-call handbook](/en/team/on-call/index.md)');
    expect(existsSync(join(dist, 'en/llms.txt'))).toBe(false);
  });
});
