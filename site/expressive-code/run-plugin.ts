/**
 * Expressive Code plugin: a block whose meta has `run` is wrapped in a
 * `<run-block>` element carrying what the browser needs to run it (runner,
 * code, language, `expect-error`, a Dockerfile's tag and context) and a
 * server-rendered toolbar that stays hidden until the element upgrades, so
 * readers without JavaScript get a plain, copyable block. Output known from
 * the docs (recorded by the doc-tests, or an `output` fence) is embedded as
 * JSON for when the sandbox cannot be reached.
 *
 * How a block runs is decided by site/runnable-blocks.ts, shared with the
 * doc-tests. The element's script is not an Expressive Code `jsModule` (those
 * ship on every page with code): site/components/MarkdownContent.astro adds
 * it only to pages that have runnable blocks.
 */
import { definePlugin, type ExpressiveCodeBlock } from '@astrojs/starlight/expressive-code';
import { type Element, h } from '@astrojs/starlight/expressive-code/hast';
import { runStrings } from '../run-block/strings.ts';
import {
  isMarkedTerminal,
  parseMeta,
  RunnableBlockError,
  type RunSpec,
  runSpec,
} from '../runnable-blocks.ts';
import { terminalStrings } from '../terminal/strings.ts';
import { knownOutput, sourceBlock } from './recorded-outputs.ts';

export interface RunPluginOptions {
  /** Default: content/recorded-outputs.json. */
  recordedOutputsFile?: string | URL;
}

export function runPlugin(options: RunPluginOptions = {}) {
  // The code as written in the document, before other plugins edit it (frames strips title comments).
  const sourceCode = new WeakMap<ExpressiveCodeBlock, string>();
  return definePlugin({
    name: 'Dockyard run',
    hooks: {
      preprocessMetadata: ({ codeBlock }) => {
        if (codeBlock.metaOptions.getBoolean('run') || isMarkedTerminal(codeBlock.meta)) {
          sourceCode.set(codeBlock, codeBlock.code);
        }
      },
      // The whole group (one block in Markdown) is wrapped, so the toolbar and the output panel sit
      // outside `.expressive-code`, whose styles reset everything inside it.
      postprocessRenderedBlockGroup: ({ renderedGroupContents, renderData }) => {
        const [only, ...others] = renderedGroupContents;
        if (!only || others.length > 0) return;
        const { codeBlock } = only;
        const original = sourceCode.get(codeBlock);
        if (original === undefined) return;
        if (isMarkedTerminal(codeBlock.meta)) {
          renderData.groupAst = terminalBlock(renderData.groupAst, codeBlock.code, codeBlock.locale ?? 'en');
          return;
        }
        const file = codeBlock.parentDocument?.sourceFilePath;
        const spec = specOf(codeBlock, original, file);
        if (!spec) return;
        const meta = parseMeta(codeBlock.meta);
        const attributes: Record<string, string | boolean> = {
          class: 'not-content',
          'data-runner': spec.runner,
          'data-language': codeBlock.language.toLowerCase(),
          'data-code': codeBlock.code,
          'data-expect-error': spec.expectError,
        };
        if (spec.command !== original) {
          // A Dockerfile: the browser builds the command from the (maybe edited) text, as runSpec does.
          attributes['data-dockerfile'] = true;
          const tag = meta.get('tag');
          const context = meta.get('context');
          if (typeof tag === 'string') attributes['data-tag'] = tag;
          if (typeof context === 'string') attributes['data-context'] = context;
        }
        // An attribute, not a <template>: MDX drops a template's content on its way to HTML.
        const known = knownOutput(original, sourceBlock(original, file), options.recordedOutputsFile);
        if (known) attributes['data-known-output'] = JSON.stringify(known);
        renderData.groupAst = h('run-block', attributes, [
          renderData.groupAst,
          toolbar(spec, codeBlock.locale ?? 'en'),
          h('div', { class: 'rb-live sr-only', 'aria-live': 'polite' }),
        ]);
      },
    },
  });
}

/** How the doc-tests run this block; a block that cannot run stays a plain block (the doc-tests report it). */
function specOf(codeBlock: ExpressiveCodeBlock, code: string, file: string | undefined): RunSpec | undefined {
  try {
    return runSpec({ lang: codeBlock.language, meta: codeBlock.meta, code });
  } catch (error) {
    if (!(error instanceof RunnableBlockError)) throw error;
    console.warn(`[run] ${file ?? 'a code block'}: not runnable: ${error.message}`);
    return undefined;
  }
}

/**
 * A block marked `terminal` (an interactive command such as `docker run -it`): its button types the
 * command into the terminal panel (site/terminal/terminal-launcher.ts), hidden until the element upgrades.
 */
function terminalBlock(block: Element, code: string, locale: string): Element {
  const text = terminalStrings(locale);
  return h('terminal-block', { class: 'not-content', 'data-code': code }, [
    block,
    h('div', { class: 'rb-toolbar', role: 'group', 'aria-label': text.runInTerminalLabel, hidden: true }, [
      h('button', { type: 'button', class: 'rb-button rb-run', 'data-action': 'run-in-terminal' }, [
        h('span', { 'aria-hidden': 'true' }, '>_ '),
        text.runInTerminal,
      ]),
    ]),
  ]);
}

/** Hidden until <run-block> upgrades; labels in the block's language. */
function toolbar(spec: RunSpec, locale: string): Element {
  const text = runStrings(locale);
  const button = (action: string, label: string, extra: Record<string, string | boolean> = {}) =>
    h('button', { type: 'button', class: `rb-button rb-${action}`, 'data-action': action, ...extra }, label);
  return h('div', { class: 'rb-toolbar', role: 'group', 'aria-label': text.toolbarLabel, hidden: true }, [
    button('run', text.run),
    button('stop', text.stop, { hidden: true }),
    button('edit', text.edit, { 'aria-pressed': 'false' }),
    button('reset', text.reset, { hidden: true }),
    button('copy-output', text.copyOutput, { hidden: true }),
    ...(spec.runner === 'docker' ? [button('reset-playground', text.resetPlayground)] : []),
  ]);
}
