/**
 * <dockyard-exercise>: an exercise rendered by site/components/Exercise.astro. Its Check button
 * runs the hidden verify script in the page's playground, the same session the Run buttons use,
 * and says in the live region whether the task is done, with the script's hint when it is not.
 * Solved exercises are remembered (progress.ts) and shown on the exercise, in a summary for the
 * page and next to the sidebar's chapter links.
 */
import { pagePlayground } from '../run-block/page-playground.ts';
import { problemMessage } from '../run-block/run-block.ts';
import { SandboxError } from '../run-block/sandbox-client.ts';
import { runStrings } from '../run-block/strings.ts';
import { countSolved, markSolved, readSolved, type SolvedExercises } from './progress.ts';
import { type ExerciseCatalog, showSidebarProgress } from './sidebar-progress.ts';
import { type ExerciseStrings, exerciseStrings } from './strings.ts';
import { verifyHint } from './verify-hint.ts';

class ExerciseBlock extends HTMLElement {
  #strings: ExerciseStrings = exerciseStrings('en');
  #lang = 'en';
  #checking = false;
  #upgraded = false;

  connectedCallback(): void {
    if (this.#upgraded) return;
    const toolbar = this.querySelector<HTMLElement>('.ex-toolbar');
    const button = toolbar?.querySelector<HTMLButtonElement>('button.ex-check');
    if (!toolbar || !button || this.#verifyCode === undefined) return;
    this.#upgraded = true;
    this.#lang = this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    this.#strings = exerciseStrings(this.#lang);
    // Check belongs right after the task, before the solution it would otherwise follow.
    const result = this.querySelector<HTMLElement>('.ex-result');
    const solution = this.querySelector(':scope .ex-solution');
    if (solution) solution.before(toolbar, ...(result ? [result] : []));
    button.addEventListener('click', () => void this.check());
    toolbar.hidden = false;
    showProgress(readSolved());
  }

  get #verifyCode(): string | undefined {
    return this.querySelector<HTMLElement>('.ex-verify')?.dataset.code;
  }

  async check(): Promise<void> {
    const code = this.#verifyCode;
    if (this.#checking || code === undefined) return;
    this.#checking = true;
    const button = this.querySelector<HTMLButtonElement>('button.ex-check');
    button?.setAttribute('aria-disabled', 'true');
    this.#say(this.#strings.checking, 'pending');
    try {
      const run = await pagePlayground().run(
        code,
        () => {},
        new AbortController().signal,
        () => this.#say(this.#strings.queued, 'pending'),
      );
      const { result } = run;
      const renewed = run.renewed ? `${runStrings(this.#lang).sessionRenewed} ` : '';
      if (result.exitCode === 0) {
        showProgress(markSolved(this.dataset.id ?? '', new Date()));
        this.#say(this.#strings.passed, 'passed');
      } else if (result.timedOut) {
        this.#say(`${renewed}${this.#strings.tooSlow}`, 'failed');
      } else {
        this.#say(`${renewed}${this.#strings.failed(verifyHint(result.stdout, result.stderr))}`, 'failed');
      }
    } catch (error) {
      if (!(error instanceof SandboxError)) console.warn('check failed', error);
      const problem =
        error instanceof SandboxError ? error.problem : { kind: 'server-error' as const, status: 0 };
      this.#say(problemMessage(runStrings(this.#lang), problem), 'failed');
    } finally {
      this.#checking = false;
      button?.setAttribute('aria-disabled', 'false');
    }
  }

  #say(text: string, state: 'pending' | 'passed' | 'failed'): void {
    const result = this.querySelector<HTMLElement>('.ex-result');
    if (!result) return;
    result.dataset.state = state;
    // Cleared first so the same message twice in a row is announced again.
    result.textContent = '';
    requestAnimationFrame(() => {
      result.textContent = text;
    });
  }
}

/** Marks solved exercises, the page's summary and the sidebar from what is stored. */
function showProgress(solved: SolvedExercises): void {
  const exercises = [...document.querySelectorAll<HTMLElement>('dockyard-exercise')];
  const first = exercises[0];
  if (!first) return;
  const strings = exerciseStrings(
    first.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang,
  );
  for (const exercise of exercises) {
    const badge = exercise.querySelector<HTMLElement>('.ex-solved');
    if (badge) badge.hidden = !(exercise.dataset.id && exercise.dataset.id in solved);
  }
  const ids = exercises.map((exercise) => exercise.dataset.id ?? '');
  let summary = document.querySelector<HTMLElement>('.ex-page-progress');
  if (!summary) {
    summary = document.createElement('p');
    summary.className = 'ex-page-progress';
    first.before(summary);
  }
  summary.textContent = strings.pageProgress(countSolved(ids, solved), ids.length);
  const catalog = JSON.parse(first.dataset.catalog ?? '{}') as ExerciseCatalog;
  showSidebarProgress(document, catalog, solved, strings);
}

customElements.define('dockyard-exercise', ExerciseBlock);
