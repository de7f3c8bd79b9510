/** `/llms-full.txt` (and `/en/llms-full.txt`): every page of one language as Markdown, in reading order. */
import type { APIRoute, GetStaticPaths } from 'astro';
import type { Locale } from '../config/site-config.ts';
import { localePrefixParam, PAGES, pageMarkdown, SITE_CONFIG } from './page-sources.ts';

export const getStaticPaths = (() =>
  SITE_CONFIG.languages.map((locale) => ({
    params: { prefix: localePrefixParam(locale) },
    props: { locale },
  }))) satisfies GetStaticPaths;

export const GET: APIRoute<{ locale: Locale }> = ({ props }) =>
  new Response(
    PAGES.filter((page) => page.locale === props.locale)
      .map(pageMarkdown)
      .join('\n---\n\n'),
    { headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
  );
