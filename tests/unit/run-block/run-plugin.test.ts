import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpressiveCode } from '@astrojs/starlight/expressive-code';
import { toHtml } from '@astrojs/starlight/expressive-code/hast';
import { parse } from 'node-html-parser';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runPlugin } from '../../../site/expressive-code/run-plugin.ts';
import { codeHash } from '../../../site/runnable-blocks.ts';

const SOURCE = `---
title: t
---

\`\`\`sh run
echo hello
\`\`\`

\`\`\`text output
hello
\`\`\`

\`\`\`sh run
docker ps
\`\`\`

\`\`\`sh run expect-error
ls /nope
\`\`\`
`;

let dir: string;
let sourceFile: string;
let recordings: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-plugin-'));
  sourceFile = join(dir, 'page.mdx');
  recordings = join(dir, 'recorded-outputs.json');
  writeFileSync(sourceFile, SOURCE);
  writeFileSync(
    recordings,
    JSON.stringify({
      [codeHash('docker ps')]: {
        stdout: 'CONTAINER ID   IMAGE\n',
        stderr: '',
        exitCode: 0,
        recordedAt: '2025-06-01T10:00:00.000Z',
      },
    }),
  );
});

async function render(code: string, language: string, meta: string, locale = 'en') {
  const ec = new ExpressiveCode({ plugins: [runPlugin({ recordedOutputsFile: recordings })] });
  const { renderedGroupAst } = await ec.render({
    code,
    language,
    meta,
    locale,
    parentDocument: { sourceFilePath: sourceFile },
  });
  return parse(toHtml(renderedGroupAst));
}

describe('the run plugin', () => {
  it('leaves blocks without `run` alone', async () => {
    const html = await render('echo hi', 'sh', 'title="run it yourself"');
    expect(html.querySelector('run-block')).toBeNull();
  });

  it('wraps a runnable shell block with its runner, code and a hidden toolbar', async () => {
    const block = (await render('echo hello', 'sh', 'run')).querySelector('run-block');
    expect(block?.getAttribute('data-runner')).toBe('shell');
    expect(block?.getAttribute('data-code')).toBe('echo hello');
    expect(block?.hasAttribute('data-expect-error')).toBe(false);
    expect(block?.querySelector('pre')).not.toBeNull();
    const toolbar = block?.querySelector('.rb-toolbar');
    expect(toolbar?.hasAttribute('hidden')).toBe(true);
    expect(toolbar?.querySelectorAll('button').map((b) => [b.getAttribute('data-action'), b.text])).toEqual([
      ['run', 'Run'],
      ['stop', 'Stop'],
      ['edit', 'Edit'],
      ['reset', 'Reset code'],
      ['copy-output', 'Copy output'],
    ]);
    expect(toolbar?.querySelectorAll('button').every((b) => b.getAttribute('type') === 'button')).toBe(true);
    expect(block?.querySelector('.rb-live')?.getAttribute('aria-live')).toBe('polite');
  });

  it('labels the toolbar in the page’s language and offers Reset playground for docker blocks', async () => {
    const block = (await render('docker ps', 'sh', 'run', 'zh-CN')).querySelector('run-block');
    expect(block?.getAttribute('data-runner')).toBe('docker');
    expect(block?.querySelectorAll('.rb-toolbar button').map((b) => b.text)).toEqual([
      '运行',
      '停止',
      '编辑',
      '还原代码',
      '复制输出',
      '重置练习环境',
    ]);
  });

  it('embeds the recorded output of the block', async () => {
    const block = (await render('docker ps', 'sh', 'run')).querySelector('run-block');
    expect(JSON.parse(block?.getAttribute('data-known-output') ?? '')).toEqual({
      source: 'recorded',
      stdout: 'CONTAINER ID   IMAGE\n',
      stderr: '',
      exitCode: 0,
      recordedAt: '2025-06-01T10:00:00.000Z',
    });
  });

  it('uses an `output` fence after the block as its expected output', async () => {
    const block = (await render('echo hello', 'sh', 'run')).querySelector('run-block');
    expect(JSON.parse(block?.getAttribute('data-known-output') ?? '')).toMatchObject({
      source: 'expected',
      stdout: 'hello\n',
    });
  });

  it('embeds nothing when no output is known', async () => {
    const block = (await render('ls /nope', 'sh', 'run expect-error')).querySelector('run-block');
    expect(block?.hasAttribute('data-expect-error')).toBe(true);
    expect(block?.hasAttribute('data-known-output')).toBe(false);
  });

  it('honours runner= and marks Dockerfile blocks with their tag', async () => {
    expect(
      (await render('curl --unix-socket /var/run/docker.sock x', 'sh', 'run runner=docker'))
        .querySelector('run-block')
        ?.getAttribute('data-runner'),
    ).toBe('docker');
    const dockerfile = (
      await render('FROM busybox\nCMD ["echo", "hi"]', 'dockerfile', 'run tag=hello-mine')
    ).querySelector('run-block');
    expect(dockerfile?.getAttribute('data-runner')).toBe('docker');
    expect(dockerfile?.hasAttribute('data-dockerfile')).toBe(true);
    expect(dockerfile?.getAttribute('data-tag')).toBe('hello-mine');
  });

  it('leaves a block that cannot run as a plain block, with a warning for the author', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect((await render('{"a": 1}', 'json', 'run')).querySelector('run-block')).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('a `json` block cannot run'));
    warn.mockRestore();
  });
});
