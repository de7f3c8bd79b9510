/**
 * `npm run new:page -- <slug> "Title" [--section ID]`: scaffolds a page in every language of
 * dockyard.config.ts, at the end of its sidebar section (default: the first section), with the
 * frontmatter filled in. Never overwrites a file.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import config from '../dockyard.config.ts';
import { type Locale, localeInfo, pagePath } from '../site/config/site-config.ts';
import { discoverContent } from '../site/content/pages.ts';

const ORDER_STEP = 10;
const SLUG = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;

const PLACEHOLDERS: Record<Locale, { description: string; body: string }> = {
  'zh-cn': {
    description: '用一句话说明本页讲什么。',
    body: '在这里开始写。可运行的例子、预期输出和练习题的写法见[写作指南](/authoring/)。',
  },
  en: {
    description: 'One sentence on what this page covers.',
    body: 'Start writing here. [Writing pages](/en/authoring/) explains runnable examples, expected outputs and exercises.',
  },
};

function fail(message: string): never {
  console.error(`new:page: ${message}`);
  console.error('usage: npm run new:page -- <slug> "Title" [--section ID]');
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { section: { type: 'string' } },
});
const [slug, title] = positionals;
if (!slug || !title?.trim() || positionals.length > 2) fail('give a slug and a title');
if (!SLUG.test(slug) || slug === 'index') {
  fail(
    `"${slug}": a slug is lowercase letters, digits and hyphens (subdirectories with "/"), and not "index"`,
  );
}
const sectionIds = config.sections.map((section) => section.id);
const section = values.section ?? sectionIds[0];
if (!section || !sectionIds.includes(section)) fail(`--section: one of ${sectionIds.join(', ')}`);

const root = new URL('..', import.meta.url).pathname;
const { pages } = discoverContent(root, config);
const lastOrder = Math.max(
  0,
  ...pages.filter((page) => page.section === section).map((page) => page.order ?? 0),
);
const order = lastOrder + ORDER_STEP;

const files = config.languages.map((locale) => ({
  locale,
  file: join(localeInfo(locale).contentDir, `${slug}.mdx`),
}));
const existing = files.filter(({ file }) => existsSync(join(root, file)));
if (existing.length > 0) fail(`${existing.map(({ file }) => file).join(', ')} already exists`);

for (const { locale, file } of files) {
  const { description, body } = PLACEHOLDERS[locale];
  const frontmatter = [
    '---',
    `title: ${JSON.stringify(title.trim())}`,
    `description: ${description}`,
    `section: ${section}`,
    'sidebar:',
    `  order: ${order}`,
    '---',
  ].join('\n');
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), `${frontmatter}\n\n${body}\n`, { flag: 'wx' });
  console.log(`created ${file}  →  ${pagePath(locale, slug)}`);
}
