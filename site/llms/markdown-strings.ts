/** The words the Markdown version of a page and the link to it under each title use. */
import type { Locale } from '../config/site-config.ts';

export interface MarkdownStrings {
  asides: Record<'note' | 'tip' | 'caution' | 'danger', string>;
  runnable: (runner: string) => string;
  expectedOutput: string;
  recordedOutput: (exitCode: number | null) => string;
  viewMarkdown: string;
  /** Heading of the page list in llms.txt. */
  pagesHeading: string;
}

const zh: MarkdownStrings = {
  asides: { note: '注意', tip: '提示', caution: '警告', danger: '危险' },
  runnable: (runner) => `可运行（${runner === 'docker' ? 'Docker 练习环境' : 'shell 沙箱'}）：`,
  expectedOutput: '预期输出：',
  recordedOutput: (exitCode) => `实际运行记录${exitCode === null ? '' : `（退出码 ${exitCode}）`}：`,
  viewMarkdown: '查看 Markdown',
  pagesHeading: '页面',
};

const en: MarkdownStrings = {
  asides: { note: 'Note', tip: 'Tip', caution: 'Caution', danger: 'Danger' },
  runnable: (runner) => `Runnable (${runner === 'docker' ? 'Docker playground' : 'shell sandbox'}):`,
  expectedOutput: 'Expected output:',
  recordedOutput: (exitCode) => `Recorded output${exitCode === null ? '' : ` (exit code ${exitCode})`}:`,
  viewMarkdown: 'View as Markdown',
  pagesHeading: 'Pages',
};

export function markdownStrings(locale: Locale): MarkdownStrings {
  return locale === 'en' ? en : zh;
}
