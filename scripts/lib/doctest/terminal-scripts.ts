/**
 * What the doc-tests type into the terminal for each block marked `terminal`, and what must appear on
 * the screen after each step: the steps the chapters tell the reader to try (content/docs/commands.mdx
 * and its English version). Keyed by the block's code, which is the same in both languages; a terminal
 * block without a script here fails the doc-tests, so none goes untested. Patterns match the screen's
 * text without control sequences and carriage returns (TerminalClient.text).
 */

/** The playground shell's prompt (Debian's /etc/bash.bashrc): root@playground:<dir># */
export const PLAYGROUND_PROMPT = /root@playground:[^\r\n]*# $/;
const DEBIAN_CONTAINER_PROMPT = /root@[0-9a-f]{12}:\/# $/;
const BUSYBOX_PROMPT = /\/ # $/;
const CTRL_C = '\x03';
const CTRL_P_CTRL_Q = '\x10\x11';

export interface TerminalStep {
  /** Keys typed; `$BLOCK` stands for the block's command. */
  readonly keys: string;
  /** What must appear after the keys (a pattern that ends where the screen waits for input). */
  readonly expect: RegExp;
}

export const TERMINAL_SCRIPTS: ReadonlyMap<string, readonly TerminalStep[]> = new Map([
  [
    'docker run -it --name deb debian:bookworm bash',
    [
      { keys: '$BLOCK\r', expect: DEBIAN_CONTAINER_PROMPT },
      { keys: 'hostname\r', expect: /\n[0-9a-f]{12}\n[^\n]*# $/ },
      { keys: CTRL_P_CTRL_Q, expect: PLAYGROUND_PROMPT },
      { keys: "docker ps --format '{{.Names}} {{.Status}}'\r", expect: /\ndeb Up [^\n]*\n[^\n]*# $/ },
      { keys: 'docker attach deb\r', expect: /docker attach deb\n/ },
      { keys: '\r', expect: DEBIAN_CONTAINER_PROMPT },
      { keys: 'exit\r', expect: PLAYGROUND_PROMPT },
      {
        keys: "docker ps -a --filter name=deb --format '{{.Status}}'\r",
        expect: /\nExited \(0\)[^\n]*\n[^\n]*# $/,
      },
    ],
  ],
  [
    'docker exec -it ticker sh',
    [
      { keys: '$BLOCK\r', expect: BUSYBOX_PROMPT },
      { keys: 'ps\r', expect: /\n\s*1 root[^\n]*while true[\s\S]*\/ # $/ },
      { keys: 'exit\r', expect: PLAYGROUND_PROMPT },
      { keys: "docker ps --filter name=ticker --format '{{.Status}}'\r", expect: /\nUp [^\n]*\n[^\n]*# $/ },
    ],
  ],
  [
    'docker logs -f ticker',
    [
      { keys: '$BLOCK\r', expect: /\nhello\n/ },
      { keys: CTRL_C, expect: PLAYGROUND_PROMPT },
      { keys: "docker ps --filter name=ticker --format '{{.Status}}'\r", expect: /\nUp [^\n]*\n[^\n]*# $/ },
    ],
  ],
]);
