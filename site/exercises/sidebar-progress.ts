/**
 * Shows exercise progress next to the sidebar's chapter links ("✓ 1/2"), on the pages that load
 * the exercise script. `catalog` maps a chapter slug to its exercise ids (built from the chapters'
 * MDX at build time, see site/components/Exercise.astro).
 */
import { countSolved, type SolvedExercises } from './progress.ts';
import type { ExerciseStrings } from './strings.ts';

export type ExerciseCatalog = Readonly<Record<string, readonly string[]>>;

/** `/volumes/` and `/en/volumes/` → `volumes`. */
export function chapterOfPath(path: string): string {
  return path.replace(/^\/(?:en\/)?/, '').replace(/\/$/, '');
}

export function showSidebarProgress(
  root: ParentNode,
  catalog: ExerciseCatalog,
  solved: SolvedExercises,
  strings: ExerciseStrings,
): void {
  for (const link of root.querySelectorAll<HTMLAnchorElement>('.sidebar-content a[href]')) {
    const ids = catalog[chapterOfPath(new URL(link.href, document.baseURI).pathname)];
    if (!ids || ids.length === 0) continue;
    let badge = link.querySelector<HTMLElement>(':scope > .ex-progress');
    if (!badge) {
      badge = document.createElement('span');
      badge.className = 'ex-progress';
      link.append(badge);
    }
    const done = countSolved(ids, solved);
    badge.classList.toggle('ex-progress-complete', done === ids.length);
    badge.replaceChildren(
      visible(`${done === ids.length ? '✓ ' : ''}${done}/${ids.length}`),
      srOnly(strings.sidebarProgress(done, ids.length)),
    );
  }
}

function visible(text: string): HTMLElement {
  const span = document.createElement('span');
  span.setAttribute('aria-hidden', 'true');
  span.textContent = text;
  return span;
}

function srOnly(text: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'sr-only';
  span.textContent = text;
  return span;
}
