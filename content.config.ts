import { defineCollection } from 'astro:content';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';
import config from './dockyard.config.ts';

/**
 * A bilingual site reads all of content/docs (English under en/). A single-language site reads
 * only its language's files: Starlight's own loader is this glob without the exclusion.
 */
function pagesLoader() {
  if (config.languages.length > 1) return docsLoader();
  const pattern = config.languages[0] === 'en' ? 'en/**/[^_]*.{md,mdx}' : ['**/[^_]*.{md,mdx}', '!en/**'];
  return glob({ base: './content/docs', pattern });
}

export const collections = {
  docs: defineCollection({
    loader: pagesLoader(),
    // `section` groups a page in the sidebar (site/content/pages.ts checks it against dockyard.config.ts).
    schema: docsSchema({ extend: z.object({ section: z.string().optional() }) }),
  }),
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
