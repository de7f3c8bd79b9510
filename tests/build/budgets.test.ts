import { describe, expect, it } from 'vitest';
import {
  CSS_BUDGET_GZIP_BYTES,
  JS_BUDGET_GZIP_BYTES,
  measurePageWeight,
} from '../../scripts/lib/page-weight.ts';
import { CHAPTER_SLUGS, LOCALES, pagePath } from '../../site/chapters.ts';

const paths = LOCALES.flatMap((locale) =>
  (['index', ...CHAPTER_SLUGS] as const).map((slug) => pagePath(locale, slug)),
);

describe('page weight budgets (gzipped)', () => {
  it.each(paths)('%s stays within the JS and CSS budgets', (path) => {
    const weight = measurePageWeight(path);
    expect(weight.jsGzipBytes).toBeGreaterThan(0);
    expect(weight.jsGzipBytes).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
    expect(weight.cssGzipBytes).toBeGreaterThan(0);
    expect(weight.cssGzipBytes).toBeLessThanOrEqual(CSS_BUDGET_GZIP_BYTES);
  });
});
