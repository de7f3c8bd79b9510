/**
 * A page's MDX source as plain Markdown for readers and tools that do not run JavaScript or
 * MDX (LLMs, llms.txt): frontmatter becomes a title and summary, imports and comments go,
 * Starlight components and asides become Markdown, and each runnable block is followed by its
 * recorded output (content/recorded-outputs.json) so the page reads as it does in the browser.
 */
import type { OverheadResults, VariantId, WorkloadId } from '../../bench-results/overhead-results.ts';
import { chartStrings } from '../components/overhead-chart-strings.ts';
import { type FigureKind, overheadFigure } from '../components/overhead-figure.ts';
import type { Locale } from '../config/site-config.ts';
import { parseFrontmatter } from '../content/frontmatter.ts';
import { extractFences, extractRunnableBlocks } from '../runnable-blocks.ts';
import { markdownStrings } from './markdown-strings.ts';

export interface Recording {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

export interface MarkdownInput {
  readonly source: string;
  readonly locale: Locale;
  /** Recorded outputs by code hash (content/recorded-outputs.json). */
  readonly recordings: Readonly<Record<string, Recording>>;
  readonly overhead: OverheadResults;
}

interface Line {
  readonly text: string;
  /** Inside a code fence: never read as an aside marker. */
  readonly code: boolean;
}

const ASIDE_OPEN = /^\s*:::(note|tip|caution|danger)(?:\[(.*)\])?\s*$/;
const ASIDE_CLOSE = /^\s*:::\s*$/;
const ATTRIBUTE = /([A-Za-z]+)="([^"]*)"/g;
// Control sequences and carriage returns in recorded terminal output.
const TERMINAL_NOISE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]|\\r`, 'g');

function attributes(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(ATTRIBUTE)].map(([, name = '', value = '']) => [name, value]));
}

function overheadTable(input: MarkdownInput): string {
  const text = chartStrings(input.locale);
  const lang = input.locale === 'en' ? 'en' : 'zh-CN';
  const rows = input.overhead.workloads.flatMap((workload) =>
    workload.variants.map(
      (variant) =>
        `| ${text.workloads[workload.id]} | ${text.variants[variant.id]} | ` +
        `${overheadFigure(input.overhead, workload.id, variant.id, 'median', lang)} | ` +
        `${overheadFigure(input.overhead, workload.id, variant.id, 'slowdown', lang)} |`,
    ),
  );
  const header = `| | ${text.columns.variant} | ${text.columns.median} | ${text.columns.relative} |`;
  return [`${text.tableCaption}`, '', header, '|---|---|---|---|', ...rows].join('\n');
}

/** Prose between fences: Starlight components and MDX-only syntax as Markdown. */
function convertProse(text: string, input: MarkdownInput): string {
  const lang = input.locale === 'en' ? 'en' : 'zh-CN';
  return text
    .replace(/^import\s.+\sfrom\s+['"][^'"]+['"];?[ \t]*$/gm, '')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    .replace(/<OverheadChart\b[^>]*\/>/g, () => overheadTable(input))
    .replace(/<OverheadFigure\b([^>]*)\/>/g, (_, attrs: string) => {
      const { workload, variant, show } = attributes(attrs);
      return overheadFigure(
        input.overhead,
        workload as WorkloadId,
        variant as VariantId,
        (show ?? 'slowdown') as FigureKind,
        lang,
      );
    })
    .replace(/<LinkCard\b([^>]*)\/>/g, (_, attrs: string) => {
      const { title = '', href = '', description } = attributes(attrs);
      return `- [${title}](${href})${description ? `: ${description}` : ''}`;
    })
    .replace(/<Card\b([^>]*)>([\s\S]*?)<\/Card>/g, (_, attrs: string, content: string) => {
      // Card content is indented in the source; indented lines would read as code in Markdown.
      const text = content.replace(/^[ \t]+/gm, '').trim();
      return `**${attributes(attrs).title ?? ''}**\n\n${text}\n`;
    })
    .replace(/<TabItem\b([^>]*)>/g, (_, attrs: string) => `**${attributes(attrs).label ?? ''}**`)
    .replace(/<\/?(Steps|CardGrid|Card|Tabs|TabItem)\b[^>]*>/g, '');
}

function recordingFence(output: string, indent: string): string[] {
  const longestRun = Math.max(2, ...[...output.matchAll(/`+/g)].map(([run]) => run.length));
  const marker = '`'.repeat(longestRun + 1);
  return [
    `${indent}${marker}text`,
    ...output.split('\n').map((line) => `${indent}${line}`),
    `${indent}${marker}`,
  ];
}

/** The body as lines, fences rewritten and recorded outputs added after runnable blocks. */
function bodyLines(body: string, input: MarkdownInput): Line[] {
  const strings = markdownStrings(input.locale);
  const sourceLines = body.split(/\r?\n/);
  const fences = extractFences(body);
  const runnable = new Map(extractRunnableBlocks(body).blocks.map((block) => [block.line, block]));
  const expectedOutputs = new Map(
    [...runnable.values()].flatMap((block) =>
      block.expectedOutput ? [[block.expectedOutput.line, block]] : [],
    ),
  );
  const lines: Line[] = [];
  let cursor = 1;
  const prose = (until: number) => {
    const text = convertProse(sourceLines.slice(cursor - 1, until - 1).join('\n'), input);
    for (const line of text.split('\n')) lines.push({ text: line, code: false });
  };
  for (const fence of fences) {
    prose(fence.line);
    const opening = sourceLines[fence.line - 1] ?? '';
    const [, indent = '', marker = '```'] = /^( *)(`{3,}|~{3,})/.exec(opening) ?? [];
    const title = /title="([^"]*)"/.exec(fence.meta)?.[1];
    const block = runnable.get(fence.line);
    const outputOf = expectedOutputs.get(fence.line);
    if (block)
      lines.push(
        { text: `${indent}${strings.runnable(block.spec.runner)}`, code: false },
        { text: '', code: false },
      );
    if (outputOf)
      lines.push({ text: `${indent}${strings.expectedOutput}`, code: false }, { text: '', code: false });
    lines.push({ text: `${indent}${marker}${fence.lang}${title ? ` title="${title}"` : ''}`, code: true });
    for (const line of sourceLines.slice(fence.line, fence.endLine)) lines.push({ text: line, code: true });
    cursor = fence.endLine + 1;
    const recordedBlock = block && !block.expectedOutput ? block : outputOf;
    const recording = recordedBlock ? input.recordings[recordedBlock.spec.hash] : undefined;
    if (recording) {
      const output = `${recording.stdout}${recording.stderr}`.replace(TERMINAL_NOISE, '').replace(/\n+$/, '');
      lines.push(
        { text: '', code: false },
        { text: `${indent}${strings.recordedOutput(recording.exitCode)}`, code: false },
      );
      lines.push({ text: '', code: false });
      for (const text of recordingFence(output, indent)) lines.push({ text, code: true });
    }
  }
  prose(sourceLines.length + 1);
  return lines;
}

/** Asides (`:::note[Title]` … `:::`) as block quotes headed by their title. */
function quoteAsides(lines: readonly Line[], input: MarkdownInput): string[] {
  const strings = markdownStrings(input.locale);
  const output: string[] = [];
  let depth = 0;
  for (const line of lines) {
    const open = line.code ? null : ASIDE_OPEN.exec(line.text);
    const prefix = '> '.repeat(depth);
    if (open) {
      const [, kind = 'note', title] = open;
      output.push(
        `${prefix}> **${title ?? strings.asides[kind as keyof typeof strings.asides]}**`,
        `${prefix}>`,
      );
      depth += 1;
    } else if (!line.code && depth > 0 && ASIDE_CLOSE.test(line.text)) {
      depth -= 1;
      output.push('');
    } else {
      output.push(`${prefix}${line.text}`.trimEnd());
    }
  }
  return output;
}

export function mdxToMarkdown(input: MarkdownInput): string {
  const frontmatter = parseFrontmatter(input.source);
  const body = input.source
    .split(/\r?\n/)
    .slice(frontmatter.endLine - 1)
    .join('\n');
  const { title, description } = frontmatter.data as { title?: string; description?: string };
  const markdown = quoteAsides(bodyLines(body, input), input)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return `# ${title ?? ''}\n\n${description ? `> ${description}\n\n` : ''}${markdown}\n`;
}
