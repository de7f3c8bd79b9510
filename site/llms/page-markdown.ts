/** `/<page>/index.md`: every page as Markdown (site/llms/mdx-to-markdown.ts). */
import type { APIRoute, GetStaticPaths } from 'astro';
import type { ContentPage } from '../content/site-pages.ts';
import { PAGES, pageMarkdown } from './page-sources.ts';

export const getStaticPaths = (() =>
  PAGES.map((page) => ({
    params: { path: page.path.replace(/^\/|\/$/g, '') || undefined },
    props: { page },
  }))) satisfies GetStaticPaths;

export const GET: APIRoute<{ page: ContentPage }> = ({ props }) =>
  new Response(pageMarkdown(props.page), { headers: { 'Content-Type': 'text/markdown; charset=utf-8' } });
