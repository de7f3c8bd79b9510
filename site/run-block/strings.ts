/**
 * Every word the run feature shows or announces, in the site's two
 * languages. Used at build time (server-rendered toolbar labels) and in the
 * browser (status, errors), so both stay in one place.
 */
export interface RunStrings {
  toolbarLabel: string;
  run: string;
  stop: string;
  edit: string;
  reset: string;
  copyOutput: string;
  resetPlayground: string;
  outputTitle: string;
  /** Label of the output region: names the example by its first line. */
  outputOf: (firstLine: string) => string;
  editorLabel: string;
  editorHint: string;
  running: string;
  queued: string;
  stopped: (seconds: string) => string;
  finished: (exitCode: number, seconds: string) => string;
  exitCodeExpected: string;
  endedWithoutExitCode: (seconds: string) => string;
  timedOut: string;
  truncated: string;
  oomKilled: string;
  stderrMarker: string;
  noOutput: string;
  copied: string;
  copyFailed: string;
  codeReset: string;
  playgroundReset: string;
  playgroundResetFailed: string;
  sessionRenewed: string;
  unreachable: string;
  engineDown: string;
  busy: (retryAfterS: number | undefined) => string;
  tooLarge: string;
  signInRequired: string;
  rejected: (message: string) => string;
  /** `status` 0: no HTTP status to name. */
  serverError: (status: number) => string;
  connectionLost: string;
  recordedOutput: (date: string) => string;
  expectedOutput: string;
  /** The list of the playground's published ports, with links that show what each serves. */
  publishedPorts: string;
  openPort: (port: number) => string;
  /** The link's accessible name: its visible text first, then which container and that it opens a new tab. */
  openPortLabel: (port: number, container: string, containerPort: number) => string;
}

const en: RunStrings = {
  toolbarLabel: 'Run this example',
  run: 'Run',
  stop: 'Stop',
  edit: 'Edit',
  reset: 'Reset code',
  copyOutput: 'Copy output',
  resetPlayground: 'Reset playground',
  outputTitle: 'Output',
  outputOf: (firstLine) => `Output of ${firstLine}`,
  editorLabel: 'Code of this example, editable',
  editorHint: 'Ctrl+Enter (⌘+Enter on a Mac) runs the edited code, Escape leaves the editor.',
  running: 'Running…',
  queued: 'Waiting for the previous Docker example on this page…',
  stopped: (s) => `Stopped after ${s} s.`,
  finished: (code, s) => `Finished, exit code ${code}, in ${s} s.`,
  exitCodeExpected: 'This example is meant to fail.',
  endedWithoutExitCode: (s) => `Ended without an exit code after ${s} s.`,
  timedOut: 'Timed out: the run reached the sandbox’s time limit and was stopped.',
  truncated: 'Output truncated: the run printed more than the sandbox keeps and was stopped.',
  oomKilled: 'Out of memory: a process was killed for using too much memory.',
  stderrMarker: 'stderr: ',
  noOutput: '(no output)',
  copied: 'Output copied.',
  copyFailed: 'Could not copy. Select the output and copy it by hand.',
  codeReset: 'Code restored to the original.',
  playgroundReset: 'Playground reset. The next Docker example starts a fresh one.',
  playgroundResetFailed: 'Could not reset the playground. It will expire by itself when idle.',
  sessionRenewed:
    'Your playground had expired, so a new one was started. Containers and images from earlier examples are gone: run those examples again if this one needs them.',
  unreachable:
    'The sandbox that runs the examples cannot be reached: this copy of the site may be hosted without it, or it is down. You can still copy the code and run it with your own Docker.',
  engineDown:
    'The sandbox is up, but it cannot run examples right now (its Docker engine or playground is unavailable). Try again in a minute, or run the code with your own Docker.',
  busy: (s) =>
    s === undefined
      ? 'The sandbox is busy with other runs. Try again in a few seconds.'
      : `The sandbox is busy with other runs. Try again in ${s} s.`,
  tooLarge: 'This code is too long to run here.',
  signInRequired:
    'This Dockyard runs examples for signed-in readers only. Open the sign-in link your team gave you (it ends in #dockyard-token=…), then run again.',
  rejected: (message) => `The sandbox refused this code: ${message}`,
  serverError: (status) =>
    `Something went wrong in the sandbox${status ? ` (error ${status})` : ''}. Try again.`,
  connectionLost: 'The connection to the sandbox was lost before the run finished. Try again.',
  recordedOutput: (date) => `Output recorded on ${date}, not from a live run:`,
  expectedOutput: 'Expected output, as given in the text, not from a live run:',
  publishedPorts: 'Published ports:',
  openPort: (port) => `Open ${port}`,
  openPortLabel: (port, container, containerPort) =>
    `Open ${port} (container ${container}, its port ${containerPort}; opens a new tab)`,
};

const zhCN: RunStrings = {
  toolbarLabel: '运行这个示例',
  run: '运行',
  stop: '停止',
  edit: '编辑',
  reset: '还原代码',
  copyOutput: '复制输出',
  resetPlayground: '重置练习环境',
  outputTitle: '输出',
  outputOf: (firstLine) => `${firstLine} 的输出`,
  editorLabel: '示例代码（可编辑）',
  editorHint: 'Ctrl+Enter（Mac 上为 ⌘+Enter）运行修改后的代码，Esc 退出编辑。',
  running: '正在运行…',
  queued: '正在等待本页上一个 Docker 示例运行完…',
  stopped: (s) => `已停止，用时 ${s} 秒。`,
  finished: (code, s) => `运行结束，退出码 ${code}，用时 ${s} 秒。`,
  exitCodeExpected: '这个示例本来就会出错。',
  endedWithoutExitCode: (s) => `运行结束但没有退出码，用时 ${s} 秒。`,
  timedOut: '超时：运行达到沙箱的时间上限，已被终止。',
  truncated: '输出被截断：输出超过了沙箱保留的上限，运行已被终止。',
  oomKilled: '内存不足：有进程因占用内存过多被终止。',
  stderrMarker: '标准错误：',
  noOutput: '（没有输出）',
  copied: '输出已复制。',
  copyFailed: '无法复制，请手动选中输出后复制。',
  codeReset: '代码已还原。',
  playgroundReset: '练习环境已重置，下一个 Docker 示例会使用全新的环境。',
  playgroundResetFailed: '无法重置练习环境；它闲置一段时间后会自动销毁。',
  sessionRenewed:
    '你的练习环境已过期，已为你新建一个。之前示例创建的容器和镜像都不在了；如果这个示例依赖它们，请先重新运行前面的示例。',
  unreachable:
    '连不上运行示例的沙箱：这份站点可能没有部署沙箱，或者沙箱暂时停止了。你仍然可以复制代码，在自己的 Docker 上运行。',
  engineDown:
    '沙箱在线，但暂时无法运行示例（Docker 引擎或练习环境不可用）。请过一分钟再试，或在自己的 Docker 上运行。',
  busy: (s) =>
    s === undefined ? '沙箱正忙于其他运行，请几秒后再试。' : `沙箱正忙于其他运行，请 ${s} 秒后再试。`,
  tooLarge: '这段代码太长，无法在这里运行。',
  signInRequired:
    '这个 Dockyard 只为已登录的读者运行示例。请打开团队发给你的登录链接（以 #dockyard-token=… 结尾），然后再运行一次。',
  rejected: (message) => `沙箱拒绝运行这段代码：${message}`,
  serverError: (status) => `沙箱出错了${status ? `（错误 ${status}）` : ''}，请再试一次。`,
  connectionLost: '运行结束前与沙箱的连接断开了，请再试一次。',
  recordedOutput: (date) => `以下是 ${date} 记录的输出，不是这次实时运行的结果：`,
  expectedOutput: '以下是正文给出的预期输出，不是这次实时运行的结果：',
  publishedPorts: '已发布的端口：',
  openPort: (port) => `打开 ${port}`,
  openPortLabel: (port, container, containerPort) =>
    `打开 ${port}（容器 ${container} 的 ${containerPort} 端口，在新标签页中打开）`,
};

/** Strings for a BCP-47 tag: Chinese for any `zh*`, English otherwise. */
export function runStrings(lang: string | undefined): RunStrings {
  return lang?.toLowerCase().startsWith('zh') ? zhCN : en;
}
