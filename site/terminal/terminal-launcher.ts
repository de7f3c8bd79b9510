/**
 * The terminal's entry points, in the page's Run bundle (small): a "Terminal" control on pages with
 * docker blocks, and <terminal-block>, the "Run in terminal" button of blocks marked `terminal`
 * (site/expressive-code/run-plugin.ts). The panel itself, with xterm.js, is imported only when the reader
 * opens it, and uses the same playground session as the page's Run buttons.
 */
import { pagePlayground, sandboxBaseUrl } from '../run-block/page-playground.ts';
import { terminalStrings } from './strings.ts';

type PanelModule = typeof import('./terminal-panel.ts');
let panelModule: Promise<PanelModule> | undefined;
let launcher: HTMLButtonElement | undefined;

function pageLang(): string {
  return document.documentElement.lang || 'en';
}

async function openPanel() {
  panelModule ??= import('./terminal-panel.ts');
  const { showTerminalPanel } = await panelModule;
  return showTerminalPanel({
    lang: pageLang(),
    playground: pagePlayground(),
    baseUrl: sandboxBaseUrl,
    launcher: launcher ?? document.body,
  });
}

function addLauncher(): void {
  const strings = terminalStrings(pageLang());
  launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'terminal-launcher';
  const glyph = document.createElement('span');
  glyph.setAttribute('aria-hidden', 'true');
  glyph.textContent = '>_ ';
  launcher.append(glyph, strings.open);
  launcher.setAttribute('aria-expanded', 'false');
  launcher.addEventListener('click', () => void openPanel());
  document.body.append(launcher);
}

class TerminalBlock extends HTMLElement {
  connectedCallback(): void {
    const toolbar = this.querySelector<HTMLElement>(':scope > .rb-toolbar');
    const run = toolbar?.querySelector<HTMLButtonElement>('button[data-action="run-in-terminal"]');
    if (!toolbar || !run || !toolbar.hidden) return;
    run.addEventListener('click', async () => {
      const panel = await openPanel();
      panel.typeCommand(this.dataset.code ?? '');
    });
    toolbar.hidden = false;
  }
}

if (document.querySelector('run-block[data-runner="docker"], terminal-block')) addLauncher();
customElements.define('terminal-block', TerminalBlock);
