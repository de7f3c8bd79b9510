import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { listHtmlPages, readPage } from '../../scripts/lib/dist-pages.ts';
import { REPO_ROOT } from '../../scripts/lib/prepare.ts';
import { type Locale, PAGES, pagesIn } from '../../site/content/site-pages.ts';
import { extractExercises } from '../../site/exercises/exercise-source.ts';

const pages = listHtmlPages().map((path) => ({ path, root: parse(readPage(path)) }));
const withExercises = pages.filter(({ root }) => root.querySelector('dockyard-exercise') !== null);

/** Every page that exists in both languages: exercises must match across them. */
const SLUGS = pagesIn('zh-cn')
  .map((page) => page.slug)
  .filter((slug) => PAGES.some((page) => page.locale === 'en' && page.slug === slug));

function exercisesOf(locale: Locale, slug: string) {
  const page = PAGES.find((candidate) => candidate.locale === locale && candidate.slug === slug);
  if (page === undefined) throw new Error(`no ${locale} page ${slug}`);
  return extractExercises(readFileSync(join(REPO_ROOT, page.file), 'utf8'));
}

function loadsExerciseScript(root: ReturnType<typeof parse>): boolean {
  return root
    .querySelectorAll('script[type="module"][src]')
    .some((script) => (script.getAttribute('src') ?? '').includes('/Exercise.astro'));
}

describe('exercises', () => {
  it.each(SLUGS)('%s: both languages have the same valid exercises, in the same order', (slug) => {
    const zh = exercisesOf('zh-cn', slug);
    const en = exercisesOf('en', slug);
    expect([...zh.invalid, ...en.invalid]).toEqual([]);
    expect(en.exercises.map((exercise) => exercise.id)).toEqual(zh.exercises.map((exercise) => exercise.id));
  });

  it('exist in the built site', () => {
    expect(withExercises.length).toBeGreaterThan(0);
  });

  it.each(pages)('$path loads the exercise script if and only if it has exercises', ({ root }) => {
    expect(loadsExerciseScript(root)).toBe(root.querySelector('dockyard-exercise') !== null);
  });

  it.each(withExercises)(
    '$path: each exercise has a hidden verify script, a Check button and a solution',
    ({ root }) => {
      const catalogs = new Set<string>();
      for (const exercise of root.querySelectorAll('dockyard-exercise')) {
        const verify = exercise.querySelectorAll('.ex-verify');
        expect(verify).toHaveLength(1);
        expect(verify[0]?.hasAttribute('hidden')).toBe(true);
        expect(verify[0]?.getAttribute('data-code')?.trim()).not.toBe('');
        // The verify script is carried, not shown: no code block prints it.
        expect(
          exercise
            .querySelectorAll('pre')
            .map((pre) => pre.text)
            .join('\n'),
        ).not.toContain('exit 1');
        const toolbar = exercise.querySelector('.ex-toolbar');
        expect(toolbar?.hasAttribute('hidden')).toBe(true);
        expect(toolbar?.querySelector('button.ex-check')?.getAttribute('type')).toBe('button');
        expect(exercise.querySelector('.ex-result')?.getAttribute('role')).toBe('status');
        const solution = exercise.querySelector('details.ex-solution');
        expect(solution?.querySelector('summary')?.text.trim()).toMatch(/^(显示答案|Show solution)$/);
        expect(solution?.querySelectorAll('run-block').length).toBeGreaterThan(0);
        catalogs.add(exercise.getAttribute('data-catalog') ?? '');
      }
      expect(catalogs.size).toBe(1);
      const catalog = JSON.parse([...catalogs][0] ?? '{}') as Record<string, string[]>;
      for (const slug of SLUGS) {
        expect(catalog[slug] ?? []).toEqual(
          exercisesOf('zh-cn', slug).exercises.map((exercise) => exercise.id),
        );
      }
    },
  );
});
