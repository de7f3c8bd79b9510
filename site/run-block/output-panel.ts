/**
 * The output region under a block. stdout and stderr are interleaved as they
 * arrive, one line element per line; stderr lines carry a bar at the start
 * and a legend names it (so the difference is not colour alone), and screen
 * readers hear "stderr:" where a stderr stretch begins. ANSI colours are
 * rendered by ansi_up, which escapes all other text; links are not created.
 */
import { AnsiUp } from 'ansi_up';
import { PortList } from './port-list.ts';
import type { PortPreview, StreamName } from './sandbox-client.ts';
import type { RunStrings } from './strings.ts';

/** Output known from the docs (embedded at build time by site/expressive-code/recorded-outputs.ts). */
export interface KnownOutput {
  source: 'recorded' | 'expected';
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** ISO date of the recording. */
  recordedAt?: string;
}

function ansiRenderer(): AnsiUp {
  const renderer = new AnsiUp();
  renderer.use_classes = true;
  renderer.url_allowlist = {};
  return renderer;
}

export class OutputPanel {
  readonly element: HTMLElement;
  readonly #strings: RunStrings;
  readonly #notice: HTMLElement;
  readonly #legend: HTMLElement;
  readonly #output: HTMLElement;
  readonly #status: HTMLElement;
  readonly #ports: PortList;
  #ansi = { stdout: ansiRenderer(), stderr: ansiRenderer() };
  #line: HTMLElement | undefined;
  #lineStream: StreamName | undefined;

  constructor(strings: RunStrings, label: string) {
    this.#strings = strings;
    this.element = element('section', 'rb-panel');
    this.element.setAttribute('aria-label', label);
    const header = element('div', 'rb-panel-header');
    header.append(element('span', 'rb-panel-title', strings.outputTitle));
    this.#legend = element('span', 'rb-legend', 'stderr');
    this.#legend.hidden = true;
    header.append(this.#legend);
    this.#notice = element('p', 'rb-notice');
    this.#notice.hidden = true;
    this.#output = element('pre', 'rb-output');
    // Long output scrolls inside the panel; keyboard users need to reach it to scroll.
    this.#output.tabIndex = 0;
    this.#status = element('p', 'rb-status');
    this.#ports = new PortList(strings);
    this.element.append(header, this.#notice, this.#output, this.#status, this.#ports.element);
  }

  /** The output as plain text (colours and the screen-reader stderr markers left out), for Copy output. */
  get text(): string {
    return [...this.#output.querySelectorAll('.rb-line')]
      .map((line) =>
        [...line.childNodes]
          .filter((node) => !(node instanceof HTMLElement && node.classList.contains('sr-only')))
          .map((node) => node.textContent)
          .join(''),
      )
      .join('\n');
  }

  clear(): void {
    this.#output.replaceChildren();
    this.#ansi = { stdout: ansiRenderer(), stderr: ansiRenderer() };
    this.#line = undefined;
    this.#lineStream = undefined;
    this.#legend.hidden = true;
    this.element.removeAttribute('data-known');
    this.element.querySelector('.rb-known-label')?.remove();
    this.setNotice(undefined);
    this.setStatus([]);
    this.#ports.show([]);
  }

  /** The playground's published ports after a docker run, with links to what they serve. */
  showPorts(ports: readonly PortPreview[]): void {
    this.#ports.show(ports);
  }

  append(stream: StreamName, text: string): void {
    if (text === '') return;
    const parts = text.replace(/\r\n/g, '\n').split('\n');
    parts.forEach((part, index) => {
      if (index > 0) this.#line = undefined;
      if (part === '' && index === parts.length - 1 && index > 0) return;
      if (!this.#line || this.#lineStream !== stream) this.#openLine(stream);
      this.#line?.insertAdjacentHTML('beforeend', this.#ansi[stream].ansi_to_html(part));
    });
  }

  /** Shows output known from the docs (recorded run or `output` fence), marked as such. */
  showKnown(known: KnownOutput, lang: string): void {
    this.element.setAttribute('data-known', known.source);
    const label =
      known.source === 'recorded' && known.recordedAt
        ? this.#strings.recordedOutput(
            new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(new Date(known.recordedAt)),
          )
        : this.#strings.expectedOutput;
    this.#output.before(element('p', 'rb-known-label', label));
    this.append('stdout', known.stdout);
    this.append('stderr', known.stderr);
  }

  finishOutput(): void {
    if (this.#output.childElementCount === 0)
      this.#output.append(element('span', 'rb-empty', this.#strings.noOutput));
  }

  setNotice(text: string | undefined): void {
    this.#notice.textContent = text ?? '';
    this.#notice.hidden = text === undefined;
  }

  setStatus(sentences: readonly string[]): void {
    this.#status.textContent = sentences.join(' ');
    this.#status.hidden = sentences.length === 0;
  }

  #openLine(stream: StreamName): void {
    const line = element('span', `rb-line rb-${stream}`);
    if (stream === 'stderr' && this.#lineStream !== 'stderr') {
      line.append(element('span', 'sr-only', this.#strings.stderrMarker));
      this.#legend.hidden = false;
    }
    this.#output.append(line);
    this.#line = line;
    this.#lineStream = stream;
  }
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
