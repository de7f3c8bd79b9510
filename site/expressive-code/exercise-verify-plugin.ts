/**
 * Expressive Code plugin: an exercise's `verify` fence (see site/exercises/exercise-source.ts) is
 * not shown to the reader. It becomes a hidden element carrying the script, which the exercise's
 * Check button runs in the page's playground.
 */
import { definePlugin } from '@astrojs/starlight/expressive-code';
import { h } from '@astrojs/starlight/expressive-code/hast';
import { parseMeta } from '../runnable-blocks.ts';

export function exerciseVerifyPlugin() {
  return definePlugin({
    name: 'Dockyard exercise verify',
    hooks: {
      postprocessRenderedBlockGroup: ({ renderedGroupContents, renderData }) => {
        const [only, ...others] = renderedGroupContents;
        if (!only || others.length > 0 || parseMeta(only.codeBlock.meta).get('verify') !== true) return;
        renderData.groupAst = h('div', {
          class: 'ex-verify',
          hidden: true,
          'data-code': only.codeBlock.code,
        });
      },
    },
  });
}
