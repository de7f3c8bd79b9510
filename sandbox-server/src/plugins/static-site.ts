/**
 * Serves the built site (Astro's dist/) next to the API, so the whole thing is
 * one process on one port. Unknown pages get the site's own 404 page (the
 * English one under /en/) with status 404 (see plugins/error-handling.ts);
 * unknown /api paths stay JSON. If the site has not been built, only the API
 * is served.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const ENGLISH_PREFIX = '/en/';

/** The site's 404 page for a path (the English one under /en/). */
export type NotFoundPage = (path: string) => Buffer | undefined;

/** Serves the site if it was built; returns its 404 page lookup, or undefined when there is no site. */
export async function registerStaticSite(
  app: FastifyInstance,
  siteDir: string,
): Promise<NotFoundPage | undefined> {
  const root = resolve(siteDir);
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ siteDir: root }, 'no built site found; serving the API only (run `npm run build`)');
    return undefined;
  }
  await app.register(fastifyStatic, { root, index: ['index.html'], redirect: true });
  const notFoundPage = readPage(join(root, '404.html'));
  const englishNotFoundPage = readPage(join(root, 'en', '404.html')) ?? notFoundPage;
  return (path) => (path.startsWith(ENGLISH_PREFIX) ? englishNotFoundPage : notFoundPage);
}

function readPage(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}
