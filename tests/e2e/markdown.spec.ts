import { expect, test } from '@playwright/test';
import { pagePath } from '../../site/content/site-pages.ts';

// The link to the Markdown version under each page title (site/components/PageTitle.astro).
test.describe('the Markdown version of a page', () => {
  test('the Markdown link serves the page as text/markdown', async ({ page }) => {
    await page.goto(pagePath('en', 'volumes'));
    const href = await page.getByRole('link', { name: 'View as Markdown' }).getAttribute('href');
    expect(href).toBe('/en/volumes/index.md');
    const response = await page.request.get(href ?? '');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/markdown');
    const markdown = await response.text();
    expect(markdown.startsWith('# Volumes and data')).toBe(true);
    // The recorded output of the runnable blocks is part of it.
    expect(markdown).toMatch(/Recorded output \(exit code \d+\):/);
  });
});
