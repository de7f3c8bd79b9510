/**
 * Every chapter's exercise ids, read from the Chinese pages at build time (the English pages use
 * the same ids, which tests/build/exercises.test.ts checks): the sidebar shows progress for all
 * chapters from any page that has exercises.
 */
import { getCollection } from 'astro:content';
import { extractExercises } from './exercise-source.ts';
import type { ExerciseCatalog } from './sidebar-progress.ts';

let catalog: Promise<ExerciseCatalog> | undefined;

export function exerciseCatalog(): Promise<ExerciseCatalog> {
  catalog ??= getCollection('docs').then((entries) =>
    Object.fromEntries(
      entries
        .filter((entry) => !entry.id.startsWith('en/'))
        .map(
          (entry) =>
            [entry.id, extractExercises(entry.body ?? '').exercises.map((exercise) => exercise.id)] as const,
        )
        .filter(([, ids]) => ids.length > 0),
    ),
  );
  return catalog;
}
