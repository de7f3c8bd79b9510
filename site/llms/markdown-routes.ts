/**
 * An Astro integration adding the Markdown views of the site: each page as Markdown next to its
 * HTML, and llms.txt / llms-full.txt per language (https://llmstxt.org's format).
 */
import type { AstroIntegration } from 'astro';

export function markdownRoutes(): AstroIntegration {
  return {
    name: 'dockyard-markdown-routes',
    hooks: {
      'astro:config:setup': ({ injectRoute }) => {
        injectRoute({ pattern: '/[...path]/index.md', entrypoint: './site/llms/page-markdown.ts' });
        injectRoute({ pattern: '/[...prefix]/llms.txt', entrypoint: './site/llms/llms-txt.ts' });
        injectRoute({ pattern: '/[...prefix]/llms-full.txt', entrypoint: './site/llms/llms-full-txt.ts' });
      },
    },
  };
}
