import { describe, expect, it } from 'vitest';
import {
  CSS_BUDGET_GZIP_BYTES,
  JS_BUDGET_GZIP_BYTES,
  measurePageWeight,
} from '../../scripts/lib/page-weight.ts';
import { PAGES } from '../../site/content/site-pages.ts';

const paths = PAGES.map((page) => page.path);

describe('page weight budgets (gzipped)', () => {
  it.each(paths)('%s stays within the JS and CSS budgets', (path) => {
    const weight = measurePageWeight(path);
    expect(weight.jsGzipBytes).toBeGreaterThan(0);
    expect(weight.jsGzipBytes).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
    expect(weight.cssGzipBytes).toBeGreaterThan(0);
    expect(weight.cssGzipBytes).toBeLessThanOrEqual(CSS_BUDGET_GZIP_BYTES);
  });
});
