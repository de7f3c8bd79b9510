import { describe, expect, it } from 'vitest';
import { checkSolved, checkUntouched } from '../../scripts/lib/doctest/exercise-check.ts';
import { type Page, pageContent } from '../../scripts/lib/doctest/pages.ts';
import { runExercises } from '../../scripts/lib/doctest/run-exercises.ts';
import type { RunResult, SandboxClient } from '../../scripts/lib/doctest/sandbox-client.ts';
import { extractExercises } from '../../site/exercises/exercise-source.ts';
import { countSolved, markSolved, readSolved } from '../../site/exercises/progress.ts';
import { chapterOfPath } from '../../site/exercises/sidebar-progress.ts';
import { verifyHint } from '../../site/exercises/verify-hint.ts';

const FENCE = '```';

function exercise(id: string, body: string[] = verifyAndSolution()): string[] {
  return [`<Exercise id="${id}" title="A task">`, '', 'Do the thing.', '', ...body, '', '</Exercise>'];
}

function verifyAndSolution(): string[] {
  return [
    `${FENCE}sh verify`,
    'docker ps | grep -q web || { echo "no web container"; exit 1; }',
    FENCE,
    '',
    '<Solution>',
    '',
    `${FENCE}sh run`,
    'docker run -d --name web nginx',
    FENCE,
    '',
    '</Solution>',
  ];
}

function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    stdout: '',
    stderr: '',
    exitCode: 0,
    timedOut: false,
    truncated: false,
    oomKilled: false,
    durationMs: 300,
    ...overrides,
  };
}

describe('extractExercises', () => {
  it('finds an exercise with its verify script and the runnable blocks of its solution', () => {
    const source = ['# Page', '', ...exercise('start-web')].join('\n');
    const { exercises, invalid } = extractExercises(source);
    expect(invalid).toEqual([]);
    expect(exercises).toHaveLength(1);
    const [found] = exercises;
    expect(found?.id).toBe('start-web');
    expect(found?.line).toBe(3);
    expect(found?.verify.code).toContain('grep -q web');
    expect(found?.solution.map((fence) => fence.code)).toEqual(['docker run -d --name web nginx']);
  });

  it('ignores an <Exercise> that is only shown inside a code fence', () => {
    const source = ['````mdx', ...exercise('shown-only'), '````'].join('\n');
    expect(extractExercises(source)).toEqual({ exercises: [], invalid: [] });
  });

  it('reports exercises that cannot be checked as written', () => {
    const noVerify = exercise('no-verify', [
      '<Solution>',
      '',
      `${FENCE}sh run`,
      'true',
      FENCE,
      '',
      '</Solution>',
    ]);
    const noSolution = exercise('no-solution', [`${FENCE}sh verify`, 'false', FENCE]);
    const badId = exercise('Bad_Id');
    const twice = [...exercise('twice'), '', ...exercise('twice')];
    const unclosed = ['<Exercise id="open" title="x">', 'text'];
    const source = [...noVerify, ...noSolution, ...badId, ...twice, ...unclosed].join('\n');
    const problems = extractExercises(source).invalid.map((entry) => `${entry.id}: ${entry.problem}`);
    expect(problems).toEqual([
      'no-verify: has 0 `verify` fences, needs exactly one',
      'no-solution: has no reference solution (a block marked `run` inside it)',
      'Bad_Id: id="Bad_Id": an id is lower-case words joined by hyphens',
      'open: the <Exercise> is never closed (</Exercise> on a line of its own)',
      'twice: the id "twice" is used twice',
    ]);
  });
});

describe('pageContent (doc-tests)', () => {
  it('takes solution blocks out of the page order and gives them to their exercise', () => {
    const source = [`${FENCE}sh run`, 'docker ps', FENCE, '', ...exercise('start-web')].join('\n');
    const { blocks, exercises, invalid } = pageContent(source);
    expect(invalid).toEqual([]);
    expect(blocks.map((block) => block.code)).toEqual(['docker ps']);
    expect(exercises[0]?.solution.map((block) => block.code)).toEqual(['docker run -d --name web nginx']);
    expect(exercises[0]?.verify.spec.runner).toBe('docker');
  });

  it('turns an invalid exercise into an invalid block, so the doc-tests report it', () => {
    const { invalid } = pageContent(
      exercise('no-solution', [`${FENCE}sh verify`, 'false', FENCE]).join('\n'),
    );
    expect(invalid.map((block) => block.problem)).toEqual([
      'has no reference solution (a block marked `run` inside it)',
    ]);
  });
});

describe('runExercises (doc-tests)', () => {
  /** A playground where the verify script fails until the solution ran. */
  function fakeClient(): SandboxClient {
    let solved = false;
    const client = {
      createSession: async () => 'session-1',
      deleteSession: async () => undefined,
      run: async (_runner: string, code: string): Promise<RunResult> => {
        if (code.startsWith('docker run')) {
          solved = true;
          return result({ stdout: 'a1b2c3\n' });
        }
        return solved
          ? result({ stdout: 'solved\n' })
          : result({ exitCode: 1, stdout: 'no web container\n' });
      },
    };
    return client as unknown as SandboxClient;
  }

  it('checks the exercise both ways and keeps the solution output for --record', async () => {
    const page: Page = {
      locale: 'en',
      slug: 'demo',
      file: 'content/docs/en/demo.mdx',
      ...pageContent(exercise('start-web').join('\n')),
    };
    const outcomes = await runExercises(fakeClient(), page);
    expect(outcomes.map((outcome) => [outcome.block.code.split(' ')[0], outcome.passed])).toEqual([
      ['docker', true],
      ['docker', true],
      ['docker', true],
    ]);
    const [untouched, solution, solved] = outcomes;
    expect(solution?.result?.stdout).toBe('a1b2c3\n');
    expect(solution?.recordedAt).toEqual(expect.any(String));
    // Verify scripts are not shown on the page: nothing of theirs is recorded.
    expect(untouched?.recordedAt).toBeUndefined();
    expect(solved?.recordedAt).toBeUndefined();
  });
});

describe('checkUntouched and checkSolved', () => {
  it('wants a failure with a hint in an untouched playground', () => {
    expect(checkUntouched(result({ exitCode: 1, stdout: 'start nginx first\n' })).passed).toBe(true);
    expect(checkUntouched(result({ exitCode: 0 })).problems).toEqual([
      'untouched playground: the verify script passed, it must fail',
    ]);
    expect(checkUntouched(result({ exitCode: 1 })).problems).toEqual([
      'untouched playground: the verify script failed without printing a hint',
    ]);
    expect(checkUntouched(result({ exitCode: null, timedOut: true, stdout: 'x' })).problems).toEqual([
      'the verify script hit the wall-time limit: keep its waits bounded',
    ]);
  });

  it('wants exit code 0 after the solution and quotes the hint otherwise', () => {
    expect(checkSolved(result()).passed).toBe(true);
    expect(checkSolved(result({ exitCode: 1, stdout: 'no page on 8080\n' })).problems).toEqual([
      'after the reference solution: the verify script exited 1, expected 0 (hint: no page on 8080)',
    ]);
    expect(checkSolved(result({ exitCode: null, oomKilled: true })).passed).toBe(false);
  });
});

describe('verifyHint', () => {
  it('is the last non-empty stdout line, else the last stderr line', () => {
    expect(verifyHint('checking…\nno web container\n\n', 'noise')).toBe('no web container');
    expect(verifyHint('', 'Error: No such container: web\n')).toBe('Error: No such container: web');
    expect(verifyHint(' \n', '')).toBeUndefined();
  });
});

class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  failWrites = false;
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new DOMException('full', 'QuotaExceededError');
    this.#items.set(key, value);
  }
}

describe('progress', () => {
  it('remembers solved exercises and counts them per chapter', () => {
    const storage = new MemoryStorage();
    expect(readSolved(storage)).toEqual({});
    markSolved('a', new Date('2026-01-02T03:04:05Z'), storage);
    const solved = markSolved('b', new Date('2026-01-02T03:05:00Z'), storage);
    expect(readSolved(storage)).toEqual(solved);
    expect(readSolved(storage).a).toBe('2026-01-02T03:04:05.000Z');
    expect(countSolved(['a', 'c'], readSolved(storage))).toBe(1);
  });

  it('reads foreign or broken data as nothing solved and survives a full storage', () => {
    const storage = new MemoryStorage();
    storage.setItem('dockyard.exercises.solved', '[1,2]');
    expect(readSolved(storage)).toEqual({});
    storage.setItem('dockyard.exercises.solved', '{"a": 3, "b": "2026-01-01T00:00:00.000Z"');
    expect(readSolved(storage)).toEqual({});
    storage.setItem('dockyard.exercises.solved', '{"a": 3, "b": "2026-01-01T00:00:00.000Z"}');
    expect(readSolved(storage)).toEqual({ b: '2026-01-01T00:00:00.000Z' });
    storage.failWrites = true;
    expect(markSolved('c', new Date(0), storage)).toHaveProperty('c');
    expect(readSolved(undefined)).toEqual({});
  });
});

describe('chapterOfPath', () => {
  it('maps both languages of a chapter to its slug', () => {
    expect(chapterOfPath('/volumes/')).toBe('volumes');
    expect(chapterOfPath('/en/volumes/')).toBe('volumes');
    expect(chapterOfPath('/en/')).toBe('');
  });
});
