/**
 * What travels on a terminal's WebSocket (GET /api/sessions/:id/terminal), shared by the server and the
 * page (site/terminal/), so both read the same numbers. No Node imports: the page bundles this file.
 *
 * Page → server: binary frames are keystrokes (UTF-8), text frames are JSON controls —
 *   {"type":"resize","cols":C,"rows":R}   the panel's size in character cells
 *   {"type":"ack","bytes":N}             N more bytes of output are on the screen (flow control)
 * Server → page: first a text frame {"type":"ready","terminal":ID,"resumed":bool}, then binary frames of
 * screen output (on a resume, first the recent output kept for it). The server sends at most
 * OUTPUT_WINDOW_BYTES the page has not acknowledged; beyond that the shell's output waits (a `yes` blocks in
 * its write instead of filling memory anywhere). The end comes as a close code of TerminalCloseCode.
 */

export const TerminalCloseCode = {
  /** The server is shutting down. */
  serverShutdown: 1001,
  /** The shell exited (`exit`, Ctrl+D). */
  shellExited: 4000,
  /** Nothing was typed for the idle timeout. */
  idle: 4001,
  /** The session expired, was reset, or never existed: a new playground is needed. */
  sessionEnded: 4004,
  /** The terminal to resume is gone (its grace period ran out) or unknown: open a new one. */
  terminalGone: 4010,
  /** The same terminal was opened from another connection (another tab). */
  replaced: 4009,
  /** Keystrokes came faster than the shell takes them, beyond INPUT_BUFFER_LIMIT_BYTES. */
  inputOverflow: 4413,
  /** A message the protocol does not know. */
  badMessage: 4400,
  /** Too many terminals for this session or this client. */
  tooMany: 4429,
  /** The playground could not start a shell (engine unreachable...). */
  unavailable: 4503,
} as const;

/** Unacknowledged output at which the server stops reading the shell's output. */
export const OUTPUT_WINDOW_BYTES = 256 * 1024;
/** The page acknowledges output in steps of this size (well below the window, so output never stalls). */
export const ACK_STEP_BYTES = 32 * 1024;
/** Largest frame the server accepts from the page (a paste); a larger one closes the connection (1009). */
export const INPUT_MESSAGE_LIMIT_BYTES = 64 * 1024;
/**
 * Keystrokes the shell has not taken yet that the server holds. The WebSocket is never paused for them:
 * the page's acknowledgements travel on it too, and a paused socket would wait for output that waits for
 * them. Beyond this the connection is closed (no reader types or pastes that much at once).
 */
export const INPUT_BUFFER_LIMIT_BYTES = 1024 * 1024;
/** Output kept for the replay after a reconnection. */
export const REPLAY_BYTES = 64 * 1024;
export const MIN_COLS = 2;
export const MAX_COLS = 500;
export const MIN_ROWS = 1;
export const MAX_ROWS = 200;

export interface ReadyMessage {
  type: 'ready';
  terminal: string;
  resumed: boolean;
}

export type ControlMessage = { type: 'resize'; cols: number; rows: number } | { type: 'ack'; bytes: number };

/** The control message in `text`, or null if it is not one the protocol knows (with valid numbers). */
export function parseControlMessage(text: string): ControlMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === 'ack' && isIntegerIn(message.bytes, 0, OUTPUT_WINDOW_BYTES * 4)) {
    return { type: 'ack', bytes: message.bytes };
  }
  if (
    message.type === 'resize' &&
    isIntegerIn(message.cols, MIN_COLS, MAX_COLS) &&
    isIntegerIn(message.rows, MIN_ROWS, MAX_ROWS)
  ) {
    return { type: 'resize', cols: message.cols, rows: message.rows };
  }
  return null;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
