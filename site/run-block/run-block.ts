/**
 * <run-block>: wraps a code block marked `run` (site/expressive-code/run-plugin.ts
 * renders it with its toolbar hidden) and makes it runnable: Run/Stop, Edit
 * and Reset, Copy output, Reset playground for docker blocks. Output streams
 * into a panel below the block; status changes are announced politely. When
 * the sandbox cannot be reached the block stays as it was, the panel says what
 * happened and shows the output known from the docs, marked as such.
 */

import { dockerfileCommand } from '../dockerfile-command.ts';
import { CodeEditor } from './code-editor.ts';
import { type KnownOutput, OutputPanel } from './output-panel.ts';
import { client, pagePlayground } from './page-playground.ts';
import { type RunnerName, type RunResult, SandboxError, type SandboxProblem } from './sandbox-client.ts';
import { type RunStrings, runStrings } from './strings.ts';

let nextId = 0;
/** The output region is named after the block's first line, cut to this length. */
const LABEL_MAX_CHARS = 48;

class RunBlock extends HTMLElement {
  #strings: RunStrings = runStrings('en');
  #lang = 'en';
  #buttons = new Map<string, HTMLButtonElement>();
  #live: HTMLElement | null = null;
  #editor: CodeEditor | undefined;
  #panel: OutputPanel | undefined;
  #running: AbortController | undefined;
  #upgraded = false;

  connectedCallback(): void {
    if (this.#upgraded) return;
    const toolbar = this.querySelector<HTMLElement>(':scope > .rb-toolbar');
    const code = this.querySelector<HTMLElement>('pre > code');
    if (!toolbar || !code) return;
    this.#upgraded = true;
    this.#lang = this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    this.#strings = runStrings(this.#lang);
    this.#live = this.querySelector(':scope > .rb-live');
    for (const button of toolbar.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
      this.#buttons.set(button.dataset.action ?? '', button);
    }
    const hint = document.createElement('p');
    hint.className = 'rb-hint';
    hint.id = `rb-hint-${++nextId}`;
    hint.textContent = this.#strings.editorHint;
    hint.hidden = true;
    toolbar.after(hint);
    this.#editor = new CodeEditor(code, this.dataset.code ?? '', hint, this.#strings, {
      onRun: () => void this.run(),
      onLeave: () => this.#setEditing(false),
      onChange: () => this.#updateResetButton(),
    });
    toolbar.addEventListener('click', (event) => this.#onToolbarClick(event));
    toolbar.hidden = false;
  }

  get runner(): RunnerName {
    return this.dataset.runner === 'docker' ? 'docker' : 'shell';
  }

  async run(): Promise<void> {
    if (this.#running || !this.#editor) return;
    const controller = new AbortController();
    this.#running = controller;
    this.#setRunning(true);
    const panel = this.#openPanel();
    panel.clear();
    panel.setStatus([this.#strings.running]);
    this.#announce(this.#strings.running);
    const startedMs = performance.now();
    const onOutput = panel.append.bind(panel);
    try {
      const code = this.#codeToRun();
      let result: RunResult;
      if (this.runner === 'docker') {
        const run = await pagePlayground().run(code, onOutput, controller.signal, () => {
          panel.setStatus([this.#strings.queued]);
        });
        if (run.renewed) panel.setNotice(this.#strings.sessionRenewed);
        result = run.result;
      } else {
        result = await client.run({ runner: 'shell', code }, onOutput, controller.signal);
      }
      panel.finishOutput();
      const status = this.#describe(result);
      panel.setStatus(status);
      this.#announce(status.join(' '));
      if (this.runner === 'docker') this.#showPorts(panel);
    } catch (error) {
      if (controller.signal.aborted) {
        const stopped = this.#strings.stopped(seconds(performance.now() - startedMs));
        panel.setStatus([stopped]);
        this.#announce(stopped);
      } else {
        this.#showProblem(panel, error);
      }
    } finally {
      this.#running = undefined;
      this.#setRunning(false);
    }
  }

  /** After a docker run: what the playground publishes now (`docker run -p …`), with links to open it. */
  #showPorts(panel: OutputPanel): void {
    pagePlayground()
      .ports()
      .then(
        (ports) => panel.showPorts(ports),
        () => {
          // The list is a convenience: a run's result stands without it.
        },
      );
  }

  stop(): void {
    this.#running?.abort(new DOMException('Stopped by the reader', 'AbortError'));
  }

  #codeToRun(): string {
    const code = this.#editor?.value ?? '';
    if (!this.hasAttribute('data-dockerfile')) return code;
    const { tag, context } = this.dataset;
    return dockerfileCommand(code, { ...(tag ? { tag } : {}), ...(context ? { context } : {}) });
  }

  #describe(result: RunResult): string[] {
    const s = this.#strings;
    const time = seconds(result.durationMs);
    const sentences = [
      result.exitCode === null ? s.endedWithoutExitCode(time) : s.finished(result.exitCode, time),
    ];
    if (result.timedOut) sentences.push(s.timedOut);
    if (result.truncated) sentences.push(s.truncated);
    if (result.oomKilled) sentences.push(s.oomKilled);
    if (result.exitCode !== 0 && this.hasAttribute('data-expect-error')) sentences.push(s.exitCodeExpected);
    return sentences;
  }

  #showProblem(panel: OutputPanel, error: unknown): void {
    const problem: SandboxProblem =
      error instanceof SandboxError ? error.problem : { kind: 'server-error', status: 0 };
    if (!(error instanceof SandboxError)) console.warn('run failed', error);
    const message = problemMessage(this.#strings, problem);
    panel.clear();
    panel.setNotice(message);
    const known = this.#knownOutput();
    if (known) {
      panel.showKnown(known, this.#lang);
      panel.finishOutput();
    }
    panel.setStatus([]);
    this.#announce(message);
  }

  #knownOutput(): KnownOutput | undefined {
    const json = this.dataset.knownOutput;
    return json ? (JSON.parse(json) as KnownOutput) : undefined;
  }

  #openPanel(): OutputPanel {
    if (!this.#panel) {
      const firstLine = (this.dataset.code ?? '').split('\n')[0]?.trim() ?? '';
      const name = firstLine.length > LABEL_MAX_CHARS ? `${firstLine.slice(0, LABEL_MAX_CHARS)}…` : firstLine;
      this.#panel = new OutputPanel(this.#strings, this.#strings.outputOf(name));
      (this.#live ?? this.lastElementChild)?.before(this.#panel.element);
    }
    this.#panel.element.hidden = false;
    return this.#panel;
  }

  #onToolbarClick(event: Event): void {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.getAttribute('aria-disabled') === 'true') return;
    switch (button.dataset.action) {
      case 'run':
        void this.run();
        break;
      case 'stop':
        this.stop();
        break;
      case 'edit':
        this.#setEditing(!this.#editor?.editing);
        break;
      case 'reset':
        this.#resetCode();
        break;
      case 'copy-output':
        void this.#copyOutput();
        break;
      case 'reset-playground':
        void this.#resetPlayground();
        break;
    }
  }

  #setEditing(editing: boolean): void {
    if (editing) this.#editor?.start();
    else {
      this.#editor?.stop();
      this.#buttons.get('edit')?.focus();
    }
    this.#buttons.get('edit')?.setAttribute('aria-pressed', String(editing));
  }

  #resetCode(): void {
    this.#editor?.reset();
    this.#updateResetButton();
    if (this.#editor?.editing) this.#setEditing(false);
    else this.#buttons.get('edit')?.focus();
    this.#announce(this.#strings.codeReset);
  }

  #updateResetButton(): void {
    const reset = this.#buttons.get('reset');
    if (reset) reset.hidden = !this.#editor?.modified;
  }

  async #copyOutput(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.#panel?.text ?? '');
      this.#announce(this.#strings.copied);
    } catch {
      this.#announce(this.#strings.copyFailed);
    }
  }

  async #resetPlayground(): Promise<void> {
    const panel = this.#openPanel();
    panel.clear();
    try {
      await pagePlayground().reset();
      panel.setNotice(this.#strings.playgroundReset);
      this.#announce(this.#strings.playgroundReset);
    } catch {
      panel.setNotice(this.#strings.playgroundResetFailed);
      this.#announce(this.#strings.playgroundResetFailed);
    }
  }

  #setRunning(running: boolean): void {
    const run = this.#buttons.get('run');
    const stop = this.#buttons.get('stop');
    const copy = this.#buttons.get('copy-output');
    run?.setAttribute('aria-disabled', String(running));
    if (stop) {
      // Focus would be lost with the hidden Stop button: hand it back to Run.
      if (!running && document.activeElement === stop) run?.focus();
      stop.hidden = !running;
    }
    if (copy) copy.hidden = running || !this.#panel?.text;
  }

  #announce(text: string): void {
    const live = this.#live;
    if (!live) return;
    // Clear first so the same message twice in a row is still announced.
    live.textContent = '';
    requestAnimationFrame(() => {
      live.textContent = text;
    });
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export function problemMessage(s: RunStrings, problem: SandboxProblem): string {
  switch (problem.kind) {
    case 'unreachable':
      return s.unreachable;
    case 'engine-down':
      return s.engineDown;
    case 'busy':
      return s.busy(problem.retryAfterS);
    case 'session-gone':
      return s.sessionRenewed;
    case 'too-large':
      return s.tooLarge;
    case 'sign-in-required':
      return s.signInRequired;
    case 'rejected':
      return s.rejected(problem.message);
    case 'server-error':
      return s.serverError(problem.status);
    case 'connection-lost':
      return s.connectionLost;
  }
}

customElements.define('run-block', RunBlock);
