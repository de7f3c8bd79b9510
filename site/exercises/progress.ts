/**
 * Which exercises the reader has solved, kept in localStorage under one key as
 * `{ "<exercise id>": "<ISO time solved>" }`. Ids are the same in both languages, so progress
 * made on a Chinese page counts on the English one. Storage that is full, disabled or holds
 * something else reads as "nothing solved" and is never a reason to fail a check.
 */
const STORAGE_KEY = 'dockyard.exercises.solved';

export type SolvedExercises = Readonly<Record<string, string>>;

export function readSolved(storage: Storage | undefined = safeStorage()): SolvedExercises {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

export function markSolved(
  id: string,
  when: Date,
  storage: Storage | undefined = safeStorage(),
): SolvedExercises {
  const solved = { ...readSolved(storage), [id]: when.toISOString() };
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(solved));
  } catch {
    // Full or disabled: the page still shows the result, only the memory of it is lost.
  }
  return solved;
}

export function countSolved(ids: readonly string[], solved: SolvedExercises): number {
  return ids.filter((id) => id in solved).length;
}

function safeStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
