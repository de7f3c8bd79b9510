/**
 * Every word the exercises show or announce, in the site's two languages: used at build time
 * (the Check button, the Show solution summary) and in the browser (results, progress).
 */
export interface ExerciseStrings {
  heading: (title: string) => string;
  check: string;
  checkLabel: (title: string) => string;
  showSolution: string;
  checking: string;
  queued: string;
  passed: string;
  /** `hint`: the verify script's last output line, in the page's language. */
  failed: (hint: string | undefined) => string;
  tooSlow: string;
  solved: string;
  /** Read by screen readers after a sidebar link's label. */
  sidebarProgress: (solved: number, total: number) => string;
  pageProgress: (solved: number, total: number) => string;
}

const en: ExerciseStrings = {
  heading: (title) => `Exercise: ${title}`,
  check: 'Check',
  checkLabel: (title) => `Check: ${title}`,
  showSolution: 'Show solution',
  checking: 'Checking your playground…',
  queued: 'Waiting for the example that is running on this page…',
  passed: 'Passed: the task is done.',
  failed: (hint) => (hint ? `Not yet. ${hint}` : 'Not yet: the check did not pass.'),
  tooSlow: 'The check took too long and was stopped. Try again in a moment.',
  solved: 'Solved',
  sidebarProgress: (solved, total) => `, exercises solved: ${solved} of ${total}`,
  pageProgress: (solved, total) => `Exercises on this page solved: ${solved} of ${total}.`,
};

const zhCN: ExerciseStrings = {
  heading: (title) => `练习：${title}`,
  check: '检查',
  checkLabel: (title) => `检查：${title}`,
  showSolution: '显示答案',
  checking: '正在检查你的练习环境…',
  queued: '正在等待本页正在运行的示例…',
  passed: '通过：任务已完成。',
  failed: (hint) => (hint ? `还没有通过。${hint}` : '还没有通过：检查未成功。'),
  tooSlow: '检查用时太长，已被终止。请稍后再试。',
  solved: '已完成',
  sidebarProgress: (solved, total) => `，练习已完成 ${solved}/${total}`,
  pageProgress: (solved, total) => `本页练习已完成 ${solved}/${total}。`,
};

/** Strings for a BCP-47 tag: Chinese for any `zh*`, English otherwise. */
export function exerciseStrings(lang: string | undefined): ExerciseStrings {
  return lang?.toLowerCase().startsWith('zh') ? zhCN : en;
}
