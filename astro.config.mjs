// @ts-check

import { fileURLToPath } from 'node:url';
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import config from './dockyard.config.ts';
import { localeInfos } from './site/config/site-config.ts';
import { loadContent } from './site/content/pages.ts';
import { buildSidebar } from './site/content/sidebar.ts';
import { markdownRoutes } from './site/llms/markdown-routes.ts';

// Fails the build with `file:line: field: message` for every problem in content/docs.
const root = fileURLToPath(new URL('.', import.meta.url));
const pages = loadContent(root, config);
const [defaultLocale] = localeInfos(config);
if (!defaultLocale) throw new Error('dockyard.config.ts: no language');

export default defineConfig({
  // Content lives in ./content/docs, which Starlight's docsLoader finds as
  // `${srcDir}/content/docs`; pages and components live under ./site.
  srcDir: '.',
  site: 'https://dockyard.example',
  // An English-only site keeps English pages under /en/ (links between pages stay valid); / leads there.
  redirects: defaultLocale.urlPrefix ? { '/': `${defaultLocale.urlPrefix}/` } : {},
  // site/content/site-pages.ts reads content/ from here in the bundled build code.
  vite: { define: { 'import.meta.env.DOCKYARD_ROOT': JSON.stringify(root) } },
  integrations: [
    starlight({
      title: Object.fromEntries(
        localeInfos(config).map(({ locale, lang }) => [lang, config.title[locale] ?? '']),
      ),
      description: 'A bilingual Docker handbook whose examples really run.',
      // Chinese is the root locale (`/`), English is `en` (`/en/`), whichever languages are built.
      defaultLocale: defaultLocale.locale === 'zh-cn' ? 'root' : defaultLocale.locale,
      locales: Object.fromEntries(
        localeInfos(config).map(({ locale, label, lang }) => [
          locale === 'zh-cn' ? 'root' : locale,
          { label, lang },
        ]),
      ),
      sidebar: buildSidebar(pages, config),
      customCss: ['./site/styles/custom.css'],
      components: {
        // Adds the <run-block> script to pages with runnable blocks only (Expressive Code's
        // run plugin is registered in ec.config.mjs).
        MarkdownContent: './site/components/MarkdownContent.astro',
        // The title plus the "Copy page as Markdown" control.
        PageTitle: './site/components/PageTitle.astro',
      },
      ...(config.editLink ? { editLink: config.editLink } : {}),
      lastUpdated: config.lastUpdated,
      pagination: true,
    }),
    markdownRoutes(),
  ],
});
