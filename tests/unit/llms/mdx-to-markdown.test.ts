import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OverheadResults } from '../../../bench-results/overhead-results.ts';
import { mdxToMarkdown, type Recording } from '../../../site/llms/mdx-to-markdown.ts';
import { codeHash } from '../../../site/runnable-blocks.ts';

const FENCE = '```';
const overhead = JSON.parse(
  readFileSync(new URL('../../../bench-results/overhead.json', import.meta.url), 'utf8'),
) as OverheadResults;

function convert(
  body: string,
  recordings: Record<string, Recording> = {},
  locale: 'en' | 'zh-cn' = 'en',
): string {
  const source = `---\ntitle: Volumes\ndescription: Keep data.\nsection: handbook\n---\n\n${body}\n`;
  return mdxToMarkdown({ source, locale, recordings, overhead });
}

describe('a page as Markdown', () => {
  it('starts with the title and the description, without frontmatter, imports or MDX comments', () => {
    const markdown = convert(
      "import { Steps } from '@astrojs/starlight/components';\n\n{/* a note to authors */}\n\nText.",
    );
    expect(markdown).toBe('# Volumes\n\n> Keep data.\n\nText.\n');
  });

  it('turns Starlight components into Markdown', () => {
    const markdown = convert(
      [
        '<CardGrid>',
        '  <Card title="Runs for real" icon="rocket">',
        '    Every **Run** button is real.',
        '  </Card>',
        '</CardGrid>',
        '',
        '<LinkCard',
        '  title="Volumes"',
        '  href="/en/volumes/"',
        '  description="Keep data."',
        '/>',
        '',
        '<Steps>',
        '1. First',
        '</Steps>',
      ].join('\n'),
    );
    expect(markdown).toContain('**Runs for real**\n\nEvery **Run** button is real.');
    expect(markdown).toContain('- [Volumes](/en/volumes/): Keep data.');
    expect(markdown).toContain('1. First');
    expect(markdown).not.toMatch(/<\/?[A-Z]/);
  });

  it('turns asides into block quotes headed by their title, code inside them too', () => {
    const markdown = convert(
      [
        ':::caution[Correction to the notes]',
        'Use the ASCII colon.',
        '',
        `${FENCE}sh`,
        'docker run -v /a:/b x',
        FENCE,
        ':::',
        '',
        ':::tip',
        'Short.',
        ':::',
      ].join('\n'),
    );
    expect(markdown).toContain(
      [
        '> **Correction to the notes**',
        '>',
        '> Use the ASCII colon.',
        '>',
        `> ${FENCE}sh`,
        '> docker run -v /a:/b x',
        `> ${FENCE}`,
        '',
        '> **Tip**',
        '>',
        '> Short.',
      ].join('\n'),
    );
    expect(markdown).not.toContain(':::');
  });

  it('follows a runnable block with its recorded output, after the expected output', () => {
    const code = 'echo hi\necho oops >&2\nexit 3';
    const markdown = convert(
      [`${FENCE}sh run expect-error`, code, FENCE, '', `${FENCE}text output`, 'hi', FENCE, '', 'After.'].join(
        '\n',
      ),
      { [codeHash(code)]: { stdout: 'hi\n', stderr: '\u001b[31moops\u001b[0m\r\n', exitCode: 3 } },
    );
    expect(markdown).toContain(
      [
        'Runnable (shell sandbox):',
        '',
        `${FENCE}sh`,
        code,
        FENCE,
        '',
        'Expected output:',
        '',
        `${FENCE}text`,
        'hi',
        FENCE,
        '',
        'Recorded output (exit code 3):',
        '',
        `${FENCE}text`,
        'hi',
        'oops',
        FENCE,
        '',
        'After.',
      ].join('\n'),
    );
  });

  it('labels in the page language and fences a recording that contains backticks with a longer fence', () => {
    const code = 'docker run --rm busybox echo "```"';
    const markdown = convert(
      [`${FENCE}sh run`, code, FENCE].join('\n'),
      {
        [codeHash(code)]: { stdout: '```\n', stderr: '', exitCode: 0 },
      },
      'zh-cn',
    );
    expect(markdown).toContain('可运行（Docker 练习环境）：');
    expect(markdown).toContain('实际运行记录（退出码 0）：\n\n````text\n```\n````');
  });

  it('leaves examples of MDX inside a longer fence alone', () => {
    const example = [
      '````md',
      `${FENCE}sh run`,
      'echo hi',
      FENCE,
      '',
      ':::tip[Solution]',
      'x',
      ':::',
      '````',
    ].join('\n');
    const markdown = convert(example);
    expect(markdown).toContain(example);
    expect(markdown).not.toContain('Runnable');
  });

  it('states the benchmark figures the HTML page shows', () => {
    const markdown = convert(
      'CPU costs <OverheadFigure workload="cpu" variant="runc" /> here.\n\n<OverheadChart />',
    );
    const cpu = overhead.workloads.find((workload) => workload.id === 'cpu');
    const runc = cpu?.variants.find((variant) => variant.id === 'runc');
    expect(markdown).toContain(
      `CPU costs ×${new Intl.NumberFormat('en', { maximumSignificantDigits: 2 }).format(runc?.slowdown ?? 0)} here.`,
    );
    expect(markdown).toMatch(/\| .+ \| .+ \| .+ µs \| ×[\d.]+ \|/);
  });
});
