/**
 * The playground's published ports under a docker block's output and in the terminal panel: one
 * "Open 8080" link per port, to its preview (an origin of the server's preview listener, never the
 * site's; a new tab without an opener or a referrer, so the page it shows cannot reach this one).
 * Hidden while there are none.
 */
import type { PortPreview } from './sandbox-client.ts';
import type { RunStrings } from './strings.ts';

export class PortList {
  readonly element: HTMLElement;
  readonly #strings: RunStrings;
  readonly #links: HTMLElement;

  constructor(strings: RunStrings) {
    this.#strings = strings;
    this.element = document.createElement('div');
    this.element.className = 'rb-ports';
    this.element.hidden = true;
    const label = document.createElement('span');
    label.className = 'rb-ports-label';
    label.textContent = strings.publishedPorts;
    this.#links = document.createElement('ul');
    this.#links.className = 'rb-ports-list';
    this.element.append(label, this.#links);
  }

  show(ports: readonly PortPreview[]): void {
    this.#links.replaceChildren(
      ...ports.map(({ port, container, containerPort, url }) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.textContent = this.#strings.openPort(port);
        link.setAttribute('aria-label', this.#strings.openPortLabel(port, container, containerPort));
        item.append(link);
        return item;
      }),
    );
    this.element.hidden = ports.length === 0;
  }
}
