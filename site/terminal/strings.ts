/**
 * Every word of the terminal panel and its buttons, in the site's two languages. The button labels are
 * rendered at build time; the rest is used by the panel once it is loaded.
 */
export interface TerminalStrings {
  /** The control that opens the panel. */
  open: string;
  /** The button of a block marked `terminal`. */
  runInTerminal: string;
  runInTerminalLabel: string;
  panelLabel: string;
  close: string;
  resizeHandle: string;
  /** How focus leaves the terminal (shown in the panel and announced). */
  leaveHint: string;
  inputLabel: string;
  keyBarLabel: string;
  ctrlKey: string;
  connecting: string;
  connected: string;
  reconnecting: string;
  sessionExpired: string;
  newPlayground: string;
  shellExited: string;
  idle: string;
  gone: string;
  replaced: string;
  tooMany: string;
  unavailable: string;
  newTerminal: string;
  reconnect: string;
  typed: string;
  tooMuchOutput: string;
}

const en: TerminalStrings = {
  open: 'Terminal',
  runInTerminal: 'Run in terminal',
  runInTerminalLabel: 'Type this command into the terminal (then press Enter)',
  panelLabel: 'Terminal in your Docker playground',
  close: 'Close terminal',
  resizeHandle: 'Resize terminal (arrow keys)',
  leaveHint: 'Shift+Tab leaves the terminal',
  inputLabel: 'Terminal input',
  keyBarLabel: 'Terminal keys',
  ctrlKey: 'Ctrl',
  connecting: 'Connecting to your playground…',
  connected: 'Connected. A shell in the same playground as this page’s Run buttons.',
  reconnecting: 'Connection lost. Reconnecting…',
  sessionExpired:
    'Your playground has expired (it ends after a while without use). Containers and images in it are gone.',
  newPlayground: 'Start a new playground',
  shellExited: 'The shell has exited.',
  idle: 'The terminal was closed after a while without input.',
  gone: 'This terminal has ended.',
  replaced: 'This terminal was opened in another window.',
  tooMany: 'Too many terminals are open for your playground. Close one in another tab first.',
  unavailable: 'The terminal cannot be opened right now: the sandbox cannot be reached. Try again later.',
  newTerminal: 'Open a new terminal',
  reconnect: 'Reconnect here',
  typed: 'The command is typed into the terminal. Press Enter to run it.',
  tooMuchOutput: 'Too much output to announce. Navigate the rows by hand to read it.',
};

const zhCN: TerminalStrings = {
  open: '终端',
  runInTerminal: '在终端运行',
  runInTerminalLabel: '把这条命令输入到终端（再按 Enter 运行）',
  panelLabel: '你的 Docker 练习环境中的终端',
  close: '关闭终端',
  resizeHandle: '调整终端高度（方向键）',
  leaveHint: 'Shift+Tab 离开终端',
  inputLabel: '终端输入',
  keyBarLabel: '终端按键',
  ctrlKey: 'Ctrl',
  connecting: '正在连接你的练习环境…',
  connected: '已连接。这个 shell 和本页的“运行”按钮使用同一个练习环境。',
  reconnecting: '连接断开了，正在重新连接…',
  sessionExpired: '你的练习环境已过期（闲置一段时间后会自动结束），其中的容器和镜像都不在了。',
  newPlayground: '新建练习环境',
  shellExited: 'shell 已退出。',
  idle: '终端长时间没有输入，已被关闭。',
  gone: '这个终端已经结束。',
  replaced: '这个终端已在另一个窗口中打开。',
  tooMany: '你的练习环境打开的终端太多了，请先在其他标签页关掉一个。',
  unavailable: '暂时无法打开终端：连不上沙箱。请稍后再试。',
  newTerminal: '打开新终端',
  reconnect: '在这里重新连接',
  typed: '命令已输入到终端，按 Enter 运行。',
  tooMuchOutput: '输出太多，无法朗读，请手动逐行浏览。',
};

/** Strings for a BCP-47 tag: Chinese for any `zh*`, English otherwise. */
export function terminalStrings(lang: string | undefined): TerminalStrings {
  return lang?.toLowerCase().startsWith('zh') ? zhCN : en;
}
