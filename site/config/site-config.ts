/**
 * What a team configures about its site (dockyard.config.ts at the repository root): which of
 * the two supported languages it is written in, the sidebar's sections, "Edit this page" links
 * and last-updated dates. Pages themselves are discovered from content/docs (site/content/).
 */

/** The languages the site's own words (Run buttons, search, chart labels) exist in. */
export const SUPPORTED_LOCALES = ['zh-cn', 'en'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

/** A text in some of the site's languages; every configured language must have one. */
export type Localized = Partial<Record<Locale, string>>;

export interface SectionConfig {
  /** What pages name in their `section` frontmatter field. */
  readonly id: string;
  readonly label: Localized;
}

export interface SiteConfig {
  /**
   * The languages the site is built in: `['zh-cn', 'en']` (bilingual), `['zh-cn']` or `['en']`.
   * Chinese pages are served at `/`, English ones at `/en/` (an English-only site redirects `/`
   * there), so links between pages are the same in every configuration.
   */
  readonly languages: readonly Locale[];
  readonly title: Localized;
  /** Sidebar sections in order; a section with no pages is left out. */
  readonly sections: readonly SectionConfig[];
  /** "Edit this page" links: baseUrl + the page's path in the repository (`content/docs/…`). */
  readonly editLink?: { readonly baseUrl: string };
  /** Show each page's last-updated date, from the git history of its file. */
  readonly lastUpdated: boolean;
}

/** How each language appears: where its files live, its URL prefix and its `<html lang>`. */
export interface LocaleInfo {
  readonly locale: Locale;
  /** Directory of its pages, relative to the repository root. */
  readonly contentDir: string;
  /** `''` for Chinese (served at `/`), `/en` for English. */
  readonly urlPrefix: string;
  readonly lang: string;
  readonly label: string;
}

const LANG: Record<Locale, { lang: string; label: string; contentDir: string }> = {
  // Chinese pages are the root of content/docs (the handbook was written in Chinese first).
  'zh-cn': { lang: 'zh-CN', label: '简体中文', contentDir: 'content/docs' },
  en: { lang: 'en', label: 'English', contentDir: 'content/docs/en' },
};

export class SiteConfigError extends Error {
  override name = 'SiteConfigError';
}

/** Checks a configuration and returns it typed; throws SiteConfigError naming the field. */
export function defineSiteConfig(config: SiteConfig): SiteConfig {
  const problems: string[] = [];
  const { languages } = config;
  if (languages.length === 0) problems.push('languages: list at least one language');
  for (const language of languages) {
    if (!SUPPORTED_LOCALES.includes(language)) {
      problems.push(`languages: "${language}" is not one of ${SUPPORTED_LOCALES.join(', ')}`);
    }
  }
  if (new Set(languages).size !== languages.length) problems.push('languages: a language is listed twice');
  if (languages.length > 1 && languages[0] !== 'zh-cn') {
    problems.push('languages: Chinese pages are the root of the site, so a bilingual site lists zh-cn first');
  }
  const localizedFields: Array<[string, Localized]> = [
    ['title', config.title],
    ...config.sections.map((section, index): [string, Localized] => [
      `sections[${index}].label`,
      section.label,
    ]),
  ];
  for (const [field, text] of localizedFields) {
    for (const language of languages) {
      if (!text[language]?.trim()) problems.push(`${field}: no text for ${language}`);
    }
  }
  const ids = config.sections.map((section) => section.id);
  for (const [index, id] of ids.entries()) {
    if (!/^[a-z][a-z0-9-]*$/.test(id)) problems.push(`sections[${index}].id: "${id}" is not a lowercase id`);
    if (ids.indexOf(id) !== index) problems.push(`sections[${index}].id: "${id}" is listed twice`);
  }
  if (config.editLink && !/^https?:\/\/\S+\/$/.test(config.editLink.baseUrl)) {
    problems.push('editLink.baseUrl: an http(s) URL ending in "/"');
  }
  if (problems.length > 0) {
    throw new SiteConfigError(`dockyard.config.ts is invalid:\n  ${problems.join('\n  ')}`);
  }
  return config;
}

export function localeInfo(locale: Locale): LocaleInfo {
  const { lang, label, contentDir } = LANG[locale];
  return { locale, lang, label, contentDir, urlPrefix: locale === 'zh-cn' ? '' : `/${locale}` };
}

export function localeInfos(config: SiteConfig): LocaleInfo[] {
  return config.languages.map(localeInfo);
}

/** URL path of a page (`index` is the landing page) in a locale, with the trailing slash. */
export function pagePath(locale: Locale, slug: string): string {
  const prefix = `${localeInfo(locale).urlPrefix}/`;
  return slug === 'index' ? prefix : `${prefix}${slug}/`;
}
