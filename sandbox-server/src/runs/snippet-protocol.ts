/**
 * How a sandbox receives a snippet and reports that it is done, without a
 * `docker exec` per run. Two wrappers speak it, with the same exit trailer:
 *
 * - The shell sandbox: a pooled container's main process is run-snippet,
 *   started before any snippet exists and blocked reading its stdin, to which
 *   the server is already attached. A run writes `<nonce>\n<code>` and closes
 *   stdin; the wrapper runs `bash -c <code>` as a child (stdin /dev/null).
 * - A playground: `playground-serve` (images/playground), started once per
 *   playground, reads `<nonce> <run-id>\n<code>\0` requests one after another.
 *
 * When the snippet's shell exits, the wrapper writes an exit trailer
 * `\0<nonce> <status>\n` to stdout and to stderr; the shell wrapper adds
 * ` 0` or ` 1` before the newline when it could read from the container's
 * memory cgroup whether a process was killed for memory during the run (a
 * fresh container per run: any such kill is this run's). The run is over when both
 * streams carried their trailer: everything before a trailer on its stream is
 * the snippet's output (each stream is ordered; the two are not ordered
 * against each other, hence one per stream). No API round trip lies on that
 * path — an exec costs three and a `runc exec`, and waiting for a container
 * to stop costs ~25 ms of runtime teardown.
 *
 * The nonce is fresh per run and known only to the server and the wrapper's
 * unexported shell variable, so the snippet's output cannot end the run by
 * accident. A snippet that digs it out of its parent's memory can only
 * misreport its own exit status and memory verdict. If the wrapper never
 * reports (killed, or the container died), or reports no memory verdict, the
 * caller falls back on what the engine knows.
 */
import type { StreamName } from '../docker/demux.ts';

/** The shell sandbox's wrapper, baked into its image (images/shell/run-snippet). */
export const SNIPPET_WRAPPER = '/usr/local/bin/run-snippet';

/** What the server writes to the wrapper's stdin. The code holds no NUL (validated). */
export function encodeSnippetInput(nonce: string, code: string): Buffer {
  return Buffer.from(`${nonce}\n${code}`);
}

/** One request to playground-serve. The code holds no NUL (validated); the run id is hex. */
export function encodeRunRequest(nonce: string, runId: string, code: string): Buffer {
  return Buffer.from(`${nonce} ${runId}\n${code}\0`);
}

/** The inverse of encodeSnippetInput, for fakes that play the wrapper. */
export function decodeSnippetInput(input: Buffer): { nonce: string; code: string } {
  const text = input.toString('utf8');
  const newline = text.indexOf('\n');
  return { nonce: text.slice(0, newline), code: text.slice(newline + 1) };
}

/**
 * The bytes the wrapper writes to each stream when the snippet exited with `status`; `oomKilled` when it
 * could tell whether the kernel killed a process for memory during the run.
 */
export function exitTrailer(nonce: string, status: number, oomKilled?: boolean): string {
  return `\0${nonce} ${status}${oomKilled === undefined ? '' : oomKilled ? ' 1' : ' 0'}\n`;
}

/** What the wrapper reported when the snippet's shell exited. */
export interface SnippetReport {
  status: number;
  /** Whether a process was killed for memory during the run; undefined: the wrapper could not tell. */
  oomKilled: boolean | undefined;
}

const STREAMS: readonly StreamName[] = ['stdout', 'stderr'];

/**
 * Splits a run's output into the snippet's output (passed on) and the exit
 * trailers (consumed). Bytes that might be the start of a trailer are held
 * back until the next chunk tells; ordinary text never is, since a trailer
 * starts with NUL; and never more than a trailer's length (marker, three
 * digits, the memory verdict), even for a reader who knows the nonce and forges a trailer's start:
 * whatever cannot be a trailer is output, and counts against the output cap.
 * Output after a stream's trailer (a background process still writing) is
 * dropped: the run ended with the snippet's shell.
 */
export class SnippetOutput {
  readonly #marker: Buffer;
  readonly #onOutput: (stream: StreamName, chunk: Buffer) => void;
  readonly #pending: Record<StreamName, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  readonly #reports: Partial<Record<StreamName, SnippetReport>> = {};
  readonly #reported: Promise<SnippetReport>;
  #resolveReported: (report: SnippetReport) => void = () => {};

  constructor(nonce: string, onOutput: (stream: StreamName, chunk: Buffer) => void) {
    this.#marker = Buffer.from(`\0${nonce} `);
    this.#onOutput = onOutput;
    this.#reported = new Promise((resolve) => {
      this.#resolveReported = resolve;
    });
  }

  /**
   * Resolves once both streams carried a trailer with the same status. A memory verdict counts only
   * when both trailers carry the same one.
   */
  get report(): Promise<SnippetReport> {
    return this.#reported;
  }

  /** Bytes held back on both streams: never more than a trailer's length per stream. */
  get heldBytes(): number {
    return this.#pending.stdout.length + this.#pending.stderr.length;
  }

  write(stream: StreamName, chunk: Buffer): void {
    if (this.#reports[stream] !== undefined) return;
    let data = this.#pending[stream].length === 0 ? chunk : Buffer.concat([this.#pending[stream], chunk]);
    for (;;) {
      const start = data.indexOf(this.#marker);
      if (start === -1) {
        const held = heldBackLength(data, this.#marker);
        this.#emit(stream, data.subarray(0, data.length - held));
        this.#pending[stream] = data.subarray(data.length - held);
        return;
      }
      this.#emit(stream, data.subarray(0, start));
      const trailer = readTrailer(data.subarray(start + this.#marker.length));
      if (trailer === 'incomplete') {
        this.#pending[stream] = data.subarray(start);
        return;
      }
      if (trailer === 'not-a-trailer') {
        // A forged prefix (the reader knows the nonce) followed by anything but a status: output, and
        // never a reason to buffer. Scanning resumes after its NUL.
        this.#emit(stream, data.subarray(start, start + 1));
        data = data.subarray(start + 1);
        continue;
      }
      this.#pending[stream] = Buffer.alloc(0);
      this.#onTrailer(stream, trailer);
      return;
    }
  }

  /** The streams ended: what was held back was output after all. */
  end(): void {
    for (const stream of STREAMS) {
      if (this.#reports[stream] === undefined) this.#emit(stream, this.#pending[stream]);
      this.#pending[stream] = Buffer.alloc(0);
    }
  }

  #onTrailer(stream: StreamName, report: SnippetReport): void {
    this.#reports[stream] = report;
    const [out, err] = [this.#reports.stdout, this.#reports.stderr];
    if (out === undefined || err === undefined) return;
    if (!Number.isInteger(out.status) || out.status !== err.status) return;
    this.#resolveReported({
      status: out.status,
      oomKilled: out.oomKilled === err.oomKilled ? out.oomKilled : undefined,
    });
  }

  #emit(stream: StreamName, bytes: Buffer): void {
    if (bytes.length > 0) this.#onOutput(stream, bytes);
  }
}

/** Digits of an exit status: at most three (0–255). */
const MAX_STATUS_DIGITS = 3;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const VERDICTS = new Map([
  [0x30, false],
  [0x31, true],
]);

/**
 * What follows a trailer's marker: the status (1–3 digits), an optional memory verdict (a space, then 0
 * or 1), a newline — 'incomplete' while that may still come (at most five bytes after the digits'
 * start are ever waited for), or 'not-a-trailer'.
 */
function readTrailer(rest: Buffer): SnippetReport | 'incomplete' | 'not-a-trailer' {
  let digits = 0;
  while (digits < rest.length && digits < MAX_STATUS_DIGITS && isDigit(rest[digits] as number)) digits++;
  if (digits === rest.length) return 'incomplete';
  if (digits === 0) return 'not-a-trailer';
  const status = Number(rest.subarray(0, digits).toString('latin1'));
  const after = rest[digits];
  if (after === NEWLINE) return { status, oomKilled: undefined };
  if (after !== SPACE) return 'not-a-trailer';
  if (rest.length === digits + 1) return 'incomplete';
  const oomKilled = VERDICTS.get(rest[digits + 1] as number);
  if (oomKilled === undefined) return 'not-a-trailer';
  if (rest.length === digits + 2) return 'incomplete';
  return rest[digits + 2] === NEWLINE ? { status, oomKilled } : 'not-a-trailer';
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** The length of the longest suffix of `data` that is a proper prefix of `marker`. */
function heldBackLength(data: Buffer, marker: Buffer): number {
  const longest = Math.min(marker.length - 1, data.length);
  // A trailer starts with NUL: text without one in its tail holds nothing back.
  if (data.indexOf(0, data.length - longest) === -1) return 0;
  for (let length = longest; length > 0; length--) {
    if (data.subarray(data.length - length).equals(marker.subarray(0, length))) return length;
  }
  return 0;
}
