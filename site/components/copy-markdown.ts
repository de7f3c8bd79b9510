/**
 * <copy-markdown>: copies the page's Markdown version (the link's target) to the clipboard and
 * says so in its status region. Without this script the link alone remains.
 */
class CopyMarkdown extends HTMLElement {
  connectedCallback(): void {
    const button = this.querySelector('button');
    const link = this.querySelector('a');
    const status = this.querySelector('[role="status"]');
    if (!button || !link || !status || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', async () => {
      status.textContent = '';
      try {
        const response = await fetch(link.href);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        await navigator.clipboard.writeText(await response.text());
        status.textContent = this.dataset.copied ?? '';
      } catch {
        status.textContent = this.dataset.failed ?? '';
      }
    });
  }
}

customElements.define('copy-markdown', CopyMarkdown);
