/**
 * Edit mode for a block's code, in place: the highlighted `<code>` becomes
 * contenteditable (plaintext-only where supported, so pasting brings no
 * markup), keeping its highlighting. Ctrl/Cmd+Enter runs, Escape leaves;
 * Tab is left alone so focus can always move on. The copy button copies what
 * is shown, edited or not.
 */
import type { RunStrings } from './strings.ts';

export interface CodeEditorHooks {
  onRun: () => void;
  onLeave: () => void;
  onChange: () => void;
}

export class CodeEditor {
  readonly #code: HTMLElement;
  readonly #original: string;
  readonly #strings: RunStrings;
  readonly #hooks: CodeEditorHooks;
  readonly #hint: HTMLElement;
  #originalMarkup: string | undefined;
  #editing = false;

  constructor(
    code: HTMLElement,
    originalCode: string,
    hint: HTMLElement,
    strings: RunStrings,
    hooks: CodeEditorHooks,
  ) {
    this.#code = code;
    this.#original = originalCode;
    this.#hint = hint;
    this.#strings = strings;
    this.#hooks = hooks;
    code.addEventListener('keydown', (event) => this.#onKeydown(event));
    code.addEventListener('input', () => {
      this.#syncCopyButton();
      hooks.onChange();
    });
  }

  get editing(): boolean {
    return this.#editing;
  }

  get modified(): boolean {
    return this.#originalMarkup !== undefined && this.value !== this.#original;
  }

  /** The code to run: what the reader sees. */
  get value(): string {
    if (this.#originalMarkup === undefined) return this.#original;
    // biome-ignore lint/performance/useDomNodeTextContent: only innerText turns the per-line elements (and any <br> the browser inserted) into newlines.
    return this.#code.innerText.replace(/\u00a0/g, ' ').replace(/\n+$/, '');
  }

  start(): void {
    if (this.#editing) return;
    this.#originalMarkup ??= this.#code.innerHTML;
    this.#editing = true;
    try {
      this.#code.contentEditable = 'plaintext-only';
    } catch {
      this.#code.contentEditable = 'true';
    }
    this.#code.spellcheck = false;
    this.#code.setAttribute('role', 'textbox');
    this.#code.setAttribute('aria-multiline', 'true');
    this.#code.setAttribute('aria-label', this.#strings.editorLabel);
    this.#code.setAttribute('aria-describedby', this.#hint.id);
    this.#code.setAttribute('autocapitalize', 'off');
    this.#code.closest('pre')?.classList.add('rb-editing');
    this.#hint.hidden = false;
    this.#code.focus();
    placeCaretAtEnd(this.#code);
  }

  stop(): void {
    if (!this.#editing) return;
    this.#editing = false;
    this.#code.removeAttribute('contenteditable');
    for (const name of [
      'role',
      'aria-multiline',
      'aria-label',
      'aria-describedby',
      'autocapitalize',
      'spellcheck',
    ]) {
      this.#code.removeAttribute(name);
    }
    this.#code.closest('pre')?.classList.remove('rb-editing');
    this.#hint.hidden = true;
  }

  /** Back to the code as published, highlighting included. */
  reset(): void {
    if (this.#originalMarkup !== undefined) this.#code.innerHTML = this.#originalMarkup;
    this.#syncCopyButton();
  }

  #onKeydown(event: KeyboardEvent): void {
    if (!this.#editing) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      this.stop();
      this.#hooks.onLeave();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      this.#hooks.onRun();
    }
  }

  #syncCopyButton(): void {
    const button = this.#code.closest('figure')?.querySelector<HTMLElement>('.copy button');
    // Expressive Code's copy button stores newlines as U+007F.
    if (button) button.dataset.code = this.value.replace(/\n/g, '\u007f');
  }
}

function placeCaretAtEnd(node: HTMLElement): void {
  const selection = window.getSelection();
  if (!selection) return;
  const range = document.createRange();
  range.selectNodeContents(node);
  range.collapse(false);
  selection.removeAllRanges();
  selection.addRange(range);
}
