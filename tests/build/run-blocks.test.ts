import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { listHtmlPages, readPage } from '../../scripts/lib/dist-pages.ts';
import {
  moduleGraphGzipBytes,
  RUN_FEATURE_JS_BUDGET_GZIP_BYTES,
  runFeatureScript,
} from '../../scripts/lib/page-weight.ts';

const pages = listHtmlPages().map((path) => ({ path, root: parse(readPage(path)) }));
const withRunBlocks = pages.filter(({ root }) => root.querySelector('run-block') !== null);

describe('runnable blocks in the built site', () => {
  it('exist (the chapters mark blocks `run`)', () => {
    expect(withRunBlocks.length).toBeGreaterThan(0);
  });

  it.each(pages)('$path loads the run script if and only if it has runnable blocks', ({ path, root }) => {
    const hasBlocks = root.querySelector('run-block') !== null;
    expect(runFeatureScript(path) !== undefined).toBe(hasBlocks);
    const runStylesheet = root
      .querySelectorAll('link[rel="stylesheet"]')
      .some((link) => /\/run-block\./.test(link.getAttribute('href') ?? ''));
    expect(runStylesheet).toBe(hasBlocks);
  });

  it('the run feature adds at most 15 kB of gzipped JS', () => {
    const script = runFeatureScript(withRunBlocks[0]?.path ?? '/');
    expect(script).toBeDefined();
    expect(moduleGraphGzipBytes(script ?? '')).toBeLessThanOrEqual(RUN_FEATURE_JS_BUDGET_GZIP_BYTES);
  });

  it.each(withRunBlocks)(
    '$path: every runnable block has a hidden toolbar of real buttons and a runner',
    ({ root }) => {
      for (const block of root.querySelectorAll('run-block')) {
        expect(['shell', 'docker']).toContain(block.getAttribute('data-runner'));
        expect(block.getAttribute('data-code')?.trim()).not.toBe('');
        const toolbar = block.querySelector(':scope > .rb-toolbar');
        expect(toolbar?.hasAttribute('hidden')).toBe(true);
        const buttons = toolbar?.querySelectorAll('button') ?? [];
        expect(buttons.map((button) => button.getAttribute('data-action')).slice(0, 5)).toEqual([
          'run',
          'stop',
          'edit',
          'reset',
          'copy-output',
        ]);
        for (const button of buttons) {
          expect(button.getAttribute('type')).toBe('button');
          expect(button.text.trim()).not.toBe('');
        }
        const known = block.getAttribute('data-known-output');
        if (known !== undefined) expect(JSON.parse(known)).toHaveProperty('stdout');
      }
    },
  );
});
