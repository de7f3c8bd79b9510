/**
 * <terminal-panel>: a shell in the page's playground, docked at the bottom of the window (full width,
 * resizable, closable; the page gets room below its text so nothing stays hidden behind it). Loaded only
 * when the reader opens it (terminal-launcher.ts imports this module dynamically), with xterm.js and its
 * fit addon. Keyboard: everything goes to the shell — Tab completes — except Shift+Tab, which leaves the
 * terminal. xterm's screen-reader mode is on; on touch screens a key bar offers Esc, Tab, Ctrl and arrows.
 * Above the screen, the playground's published ports link to what they serve (run-block/port-list.ts).
 */

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import xtermCss from '@xterm/xterm/css/xterm.css?inline';
import { TerminalCloseCode } from '../../sandbox-server/src/terminals/terminal-protocol.ts';
import type { PlaygroundSession } from '../run-block/playground-session.ts';
import { PortList } from '../run-block/port-list.ts';
import { SandboxError } from '../run-block/sandbox-client.ts';
import { runStrings } from '../run-block/strings.ts';
import { type TerminalStrings, terminalStrings } from './strings.ts';
import { type ConnectionState, TerminalConnection } from './terminal-connection.ts';
import panelCss from './terminal-panel.css?inline';

export interface TerminalPanelOptions {
  lang: string;
  playground: PlaygroundSession;
  baseUrl: string;
  /** Gets focus back when the panel closes. */
  launcher: HTMLElement;
}

const MIN_HEIGHT_PX = 140;
const DEFAULT_HEIGHT_PX = 320;
const RESIZE_STEP_PX = 32;
const RESIZE_DEBOUNCE_MS = 100;
/** After Enter, the published ports are looked at again once the shell has been quiet this long. */
const PORTS_REFRESH_DELAY_MS = 1_500;
/**
 * Looks at the ports that one Enter may cause. Output after a look means the command was not done (a
 * `docker run -p` on a busy machine prints its id and the prompt only when the container is up), so
 * the panel looks again once the shell is quiet; bounded, so a chatty command costs few requests.
 */
const PORTS_LOOKS_PER_ENTER = 3;
/** What the key bar sends: the bytes a terminal sends for these keys. */
const KEYS: ReadonlyArray<[label: string, sequence: string, name: string]> = [
  ['Esc', '\x1b', 'Escape'],
  ['Tab', '\t', 'Tab'],
  ['←', '\x1b[D', 'Left'],
  ['↑', '\x1b[A', 'Up'],
  ['↓', '\x1b[B', 'Down'],
  ['→', '\x1b[C', 'Right'],
];
/** Colours readable on the terminal's dark background in light and dark mode alike (contrast ≥ 4.5). */
const THEME = {
  background: '#111318',
  foreground: '#e6e6e6',
  cursor: '#e6e6e6',
  selectionBackground: '#44506a',
  black: '#3b3f4a',
  red: '#ff7b72',
  green: '#7ee787',
  yellow: '#f2cc60',
  blue: '#79c0ff',
  magenta: '#d2a8ff',
  cyan: '#76e3ea',
  white: '#e6e6e6',
  brightBlack: '#9aa0ab',
  brightRed: '#ffa198',
  brightGreen: '#aff5b4',
  brightYellow: '#f8e3a1',
  brightBlue: '#a5d6ff',
  brightMagenta: '#e2c5ff',
  brightCyan: '#b3f0ff',
  brightWhite: '#ffffff',
};

let panel: TerminalPanel | undefined;

/** Opens the page's terminal panel (creating it, and its connection, the first time). */
export function showTerminalPanel(options: TerminalPanelOptions): TerminalPanel {
  if (!panel) {
    // The styles come as strings and are added here: a plain CSS import would be linked into every page.
    const style = document.createElement('style');
    style.textContent = `${xtermCss}\n${panelCss}`;
    document.head.append(style);
    panel = document.createElement('terminal-panel') as TerminalPanel;
    panel.setup(options);
    document.body.append(panel);
  }
  panel.show();
  return panel;
}

export class TerminalPanel extends HTMLElement {
  #options: TerminalPanelOptions | undefined;
  #strings: TerminalStrings = terminalStrings('en');
  #terminal: Terminal | undefined;
  #fit: FitAddon | undefined;
  #connection: TerminalConnection | undefined;
  #sessionId: string | undefined;
  #status: HTMLElement | undefined;
  #notice: HTMLElement | undefined;
  #ctrlButton: HTMLButtonElement | undefined;
  #ctrlArmed = false;
  /** Typed before the connection exists (a "Run in terminal" click opens the panel and types at once). */
  #earlyInput: string[] = [];
  #heightPx = DEFAULT_HEIGHT_PX;
  #resizeTimer: ReturnType<typeof setTimeout> | undefined;
  #ports: PortList | undefined;
  #portsTimer: ReturnType<typeof setTimeout> | undefined;
  #portsLooksLeft = 0;

  setup(options: TerminalPanelOptions): void {
    this.#options = options;
    this.#strings = terminalStrings(options.lang);
    const s = this.#strings;
    this.setAttribute('lang', options.lang);
    this.innerHTML = '';
    const region = element('section', 'tp');
    region.setAttribute('aria-label', s.panelLabel);

    const handle = element('div', 'tp-handle');
    handle.tabIndex = 0;
    handle.setAttribute('role', 'separator');
    handle.setAttribute('aria-orientation', 'horizontal');
    handle.setAttribute('aria-label', s.resizeHandle);
    this.#wireResizing(handle);

    const bar = element('div', 'tp-bar');
    const title = element('span', 'tp-title');
    title.textContent = s.open;
    const hint = element('span', 'tp-hint');
    hint.textContent = s.leaveHint;
    this.#status = element('p', 'tp-status');
    this.#status.setAttribute('role', 'status');
    const close = button('tp-close', '×', s.close);
    close.addEventListener('click', () => this.hide());
    bar.append(title, hint, this.#status, close);

    this.#notice = element('div', 'tp-notice');
    this.#notice.hidden = true;

    const screen = element('div', 'tp-screen');
    const keys = element('div', 'tp-keys');
    keys.setAttribute('role', 'group');
    keys.setAttribute('aria-label', s.keyBarLabel);
    for (const [label, sequence, name] of KEYS) {
      const key = button('tp-key', label, name);
      key.addEventListener('click', () => this.#type(sequence));
      keys.append(key);
    }
    this.#ctrlButton = button('tp-key', s.ctrlKey, 'Ctrl');
    this.#ctrlButton.setAttribute('aria-pressed', 'false');
    this.#ctrlButton.addEventListener('click', () => this.#armCtrl(!this.#ctrlArmed));
    keys.insertBefore(this.#ctrlButton, keys.children[2] ?? null);

    this.#ports = new PortList(runStrings(options.lang));
    this.#ports.element.classList.add('tp-ports');

    region.append(handle, bar, this.#notice, this.#ports.element, screen, keys);
    this.append(region);
    this.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && event.target !== this.#terminal?.textarea) this.hide();
    });

    Terminal.strings.promptLabel = s.inputLabel;
    Terminal.strings.tooMuchOutput = s.tooMuchOutput;
    const terminal = new Terminal({
      screenReaderMode: true,
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 2_000,
      theme: THEME,
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    // Shift+Tab is the way out of the terminal (Tab itself completes in the shell).
    terminal.attachCustomKeyEventHandler((event) => !(event.key === 'Tab' && event.shiftKey));
    terminal.onData((data) => this.#type(data));
    terminal.onResize(({ cols, rows }) => {
      clearTimeout(this.#resizeTimer);
      this.#resizeTimer = setTimeout(() => this.#connection?.resize(cols, rows), RESIZE_DEBOUNCE_MS);
    });
    this.#terminal = terminal;
    this.#fit = fit;
    this.#setHeight(this.#heightPx);
    requestAnimationFrame(() => {
      terminal.open(screen);
      this.#fitToPanel();
      void this.#start();
    });
    new ResizeObserver(() => this.#fitToPanel()).observe(screen);
  }

  show(): void {
    this.hidden = false;
    document.documentElement.style.setProperty('--terminal-panel-height', `${this.#heightPx}px`);
    this.#options?.launcher.setAttribute('aria-expanded', 'true');
    if (this.#connection) this.#refreshPorts(0);
    requestAnimationFrame(() => {
      this.#fitToPanel();
      this.#terminal?.focus();
    });
  }

  hide(): void {
    this.hidden = true;
    document.documentElement.style.removeProperty('--terminal-panel-height');
    this.#options?.launcher.setAttribute('aria-expanded', 'false');
    this.#options?.launcher.focus();
  }

  /** Types a block's command into the shell without Enter: the reader reads it, then runs it. */
  typeCommand(command: string): void {
    this.#type(command.replace(/\n+$/, '').replaceAll('\n', '\r'));
    this.#say(this.#strings.typed);
    this.#terminal?.focus();
  }

  async #start(renew = false): Promise<void> {
    const options = this.#options;
    if (!options || !this.#terminal) return;
    this.#connection?.close();
    this.#showNotice(undefined);
    this.#say(this.#strings.connecting);
    if (renew && this.#sessionId !== undefined) options.playground.forgetExpired(this.#sessionId);
    try {
      this.#sessionId = await options.playground.sessionId();
    } catch (error) {
      this.#ended(error instanceof SandboxError && error.problem.kind === 'busy' ? 4429 : 4503);
      return;
    }
    const terminal = this.#terminal;
    this.#connection = new TerminalConnection({
      baseUrl: options.baseUrl,
      sessionId: this.#sessionId,
      ticket: (sessionId) => options.playground.terminalTicket(sessionId),
      size: () => ({ cols: terminal.cols, rows: terminal.rows }),
      onOutput: (data, drawn) => {
        terminal.write(data, drawn);
        if (this.#portsLooksLeft > 0) this.#refreshPorts(PORTS_REFRESH_DELAY_MS);
      },
      onState: (state) => this.#onState(state),
    });
    for (const text of this.#earlyInput.splice(0)) this.#connection.send(text);
  }

  #onState(state: ConnectionState): void {
    const s = this.#strings;
    if (state.kind === 'connecting') this.#say(s.connecting);
    else if (state.kind === 'reconnecting') this.#say(s.reconnecting);
    else if (state.kind === 'open') {
      // The recent output comes again after a reconnection: start from a clean screen.
      if (state.resumed) this.#terminal?.reset();
      this.#showNotice(undefined);
      this.#say(s.connected);
      this.#refreshPorts(0);
    } else this.#ended(state.code);
  }

  #ended(code: number): void {
    const s = this.#strings;
    const [message, action, renew] = ((): [string, string, boolean] => {
      switch (code) {
        case TerminalCloseCode.sessionEnded:
          return [s.sessionExpired, s.newPlayground, true];
        case TerminalCloseCode.shellExited:
          return [s.shellExited, s.newTerminal, false];
        case TerminalCloseCode.idle:
          return [s.idle, s.newTerminal, false];
        case TerminalCloseCode.replaced:
          return [s.replaced, s.reconnect, false];
        case TerminalCloseCode.tooMany:
          return [s.tooMany, s.newTerminal, false];
        case TerminalCloseCode.terminalGone:
          return [s.gone, s.newTerminal, false];
        default:
          return [s.unavailable, s.newTerminal, false];
      }
    })();
    this.#say(message);
    this.#showNotice({ message, action, onAction: () => void this.#start(renew) });
  }

  #showNotice(notice: { message: string; action: string; onAction: () => void } | undefined): void {
    const box = this.#notice;
    if (!box) return;
    box.replaceChildren();
    box.hidden = notice === undefined;
    if (!notice) return;
    const text = element('p', 'tp-notice-text');
    text.textContent = notice.message;
    const action = button('tp-action', notice.action);
    action.addEventListener('click', () => {
      notice.onAction();
      this.#terminal?.focus();
    });
    box.append(text, action);
  }

  #type(data: string): void {
    if (this.#ctrlArmed && data.length === 1) {
      const code = data.toUpperCase().charCodeAt(0);
      this.#armCtrl(false);
      // Ctrl+letter and Ctrl+@[\]^_ are the character's code with the top bits cleared.
      if (code >= 0x40 && code <= 0x5f) {
        this.#connection?.send(String.fromCharCode(code & 0x1f));
        return;
      }
    }
    if (this.#connection) this.#connection.send(data);
    else this.#earlyInput.push(data);
    if (data.includes('\r')) {
      this.#portsLooksLeft = PORTS_LOOKS_PER_ENTER;
      this.#refreshPorts(PORTS_REFRESH_DELAY_MS);
    }
  }

  /** Lists the playground's published ports again (`docker run -p` typed here or run from a block). */
  #refreshPorts(delayMs: number): void {
    clearTimeout(this.#portsTimer);
    this.#portsTimer = setTimeout(() => {
      this.#portsLooksLeft = Math.max(0, this.#portsLooksLeft - 1);
      this.#options?.playground.ports().then(
        (ports) => this.#ports?.show(ports),
        () => {
          // The terminal works without the list; the next Enter tries again.
        },
      );
    }, delayMs);
  }

  #armCtrl(armed: boolean): void {
    this.#ctrlArmed = armed;
    this.#ctrlButton?.setAttribute('aria-pressed', String(armed));
    if (armed) this.#terminal?.focus();
  }

  #say(text: string): void {
    if (this.#status) this.#status.textContent = text;
  }

  #fitToPanel(): void {
    if (!this.hidden && this.#terminal?.element) this.#fit?.fit();
  }

  #setHeight(px: number): void {
    const max = Math.max(MIN_HEIGHT_PX, Math.round(innerHeight * 0.8));
    this.#heightPx = Math.min(max, Math.max(MIN_HEIGHT_PX, Math.round(px)));
    this.style.setProperty('--tp-height', `${this.#heightPx}px`);
    if (!this.hidden) {
      document.documentElement.style.setProperty('--terminal-panel-height', `${this.#heightPx}px`);
    }
    const handle = this.querySelector('.tp-handle');
    handle?.setAttribute('aria-valuenow', String(this.#heightPx));
    handle?.setAttribute('aria-valuemin', String(MIN_HEIGHT_PX));
    handle?.setAttribute('aria-valuemax', String(max));
  }

  #wireResizing(handle: HTMLElement): void {
    handle.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowUp') this.#setHeight(this.#heightPx + RESIZE_STEP_PX);
      else if (event.key === 'ArrowDown') this.#setHeight(this.#heightPx - RESIZE_STEP_PX);
      else return;
      event.preventDefault();
    });
    handle.addEventListener('pointerdown', (event) => {
      handle.setPointerCapture(event.pointerId);
      const startY = event.clientY;
      const startHeight = this.#heightPx;
      const move = (moveEvent: PointerEvent) => this.#setHeight(startHeight + startY - moveEvent.clientY);
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  return created;
}

function button(className: string, text: string, label?: string): HTMLButtonElement {
  const created = element('button', className);
  created.type = 'button';
  created.textContent = text;
  if (label !== undefined && label !== text) created.setAttribute('aria-label', label);
  return created;
}

customElements.define('terminal-panel', TerminalPanel);
