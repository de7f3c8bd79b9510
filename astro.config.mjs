// @ts-check
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { CHAPTER_SLUGS } from './site/chapters.ts';

export default defineConfig({
  // Content lives in ./content/docs, which Starlight's docsLoader finds as
  // `${srcDir}/content/docs`; pages and components live under ./site.
  srcDir: '.',
  site: 'https://dockyard.example',
  integrations: [
    starlight({
      title: { 'zh-CN': 'Dockyard · Docker 实战手册', en: 'Dockyard · The Docker Handbook' },
      description: 'A bilingual Docker handbook whose examples really run.',
      defaultLocale: 'root',
      locales: {
        root: { label: '简体中文', lang: 'zh-CN' },
        en: { label: 'English', lang: 'en' },
      },
      sidebar: CHAPTER_SLUGS.map((slug) => slug),
      customCss: ['./site/styles/custom.css'],
      // Adds the <run-block> script to pages with runnable blocks only (Expressive Code's
      // run plugin is registered in ec.config.mjs).
      components: { MarkdownContent: './site/components/MarkdownContent.astro' },
      lastUpdated: false,
      pagination: true,
    }),
  ],
});
