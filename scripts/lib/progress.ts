/**
 * Progress of a long preparation (`npm start`, `npm run images`): one line per step with its
 * elapsed time — on a terminal a line that counts up in place, with an estimate from the last time
 * the step succeeded here — while the commands' own output goes to a log file whose path is printed
 * first. A failed step prints the end of that log. Only Node built-ins: this runs on a fresh clone.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const CACHE_DIR = new URL('../../.cache/', import.meta.url).pathname;
const TICK_MS = 1_000;
const FAILURE_TAIL_LINES = 20;

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export interface StepOptions {
  /** Key under which the duration is remembered for the next estimate (default: the label). */
  estimateKey?: string;
}

export class Progress {
  /** The log file the commands write to. */
  readonly logPath: string;
  /** A file descriptor for a child's stdout/stderr: `stdio: ['ignore', progress.output, progress.output]`. */
  readonly output: number;
  readonly #interactive: boolean;
  /** How long each step took the last time it succeeded here, in ms by step key. */
  readonly #durationsFile: string;
  readonly #durations: Record<string, number>;
  readonly #startedMs = performance.now();

  constructor(name: string, options: { interactive?: boolean; cacheDir?: string } = {}) {
    const cacheDir = options.cacheDir ?? CACHE_DIR;
    mkdirSync(join(cacheDir, 'logs'), { recursive: true });
    this.logPath = join(cacheDir, 'logs', `${name}.log`);
    this.output = openSync(this.logPath, 'w');
    this.#interactive = options.interactive ?? process.stdout.isTTY === true;
    this.#durationsFile = join(cacheDir, 'step-durations.json');
    this.#durations = existsSync(this.#durationsFile)
      ? (JSON.parse(readFileSync(this.#durationsFile, 'utf8')) as Record<string, number>)
      : {};
    console.log(`Full log: ${this.logPath}`);
  }

  /** A line for the log file only. */
  log(message: string): void {
    writeSync(this.output, `${message}\n`);
  }

  /** A line for the reader (and the log). */
  say(message: string): void {
    console.log(message);
    this.log(message);
  }

  /** Runs `work` as one step: a line that counts up on a terminal, then ✓ or ✗ with the time taken. */
  async step<T>(label: string, work: () => Promise<T>, options: StepOptions = {}): Promise<T> {
    const key = options.estimateKey ?? label;
    const estimateMs = this.#durations[key];
    const estimate = estimateMs === undefined ? '' : ` (last time ${formatSeconds(estimateMs)})`;
    const startedMs = performance.now();
    this.log(`\n━━ ${label} ━━`);
    const show = () =>
      process.stdout.write(`\r\x1b[2K… ${label}  ${formatSeconds(performance.now() - startedMs)}${estimate}`);
    const ticker = this.#interactive ? setInterval(show, TICK_MS) : undefined;
    if (this.#interactive) show();
    const finish = (line: string) => {
      clearInterval(ticker);
      if (this.#interactive) process.stdout.write('\r\x1b[2K');
      this.say(line);
    };
    try {
      const result = await work();
      const tookMs = performance.now() - startedMs;
      finish(`✓ ${label}  ${formatSeconds(tookMs)}`);
      this.#durations[key] = Math.round(tookMs);
      writeFileSync(this.#durationsFile, `${JSON.stringify(this.#durations, null, 2)}\n`);
      return result;
    } catch (error) {
      finish(`✗ ${label}  failed after ${formatSeconds(performance.now() - startedMs)}`);
      this.#printLogTail();
      throw error;
    }
  }

  /** Runs a command with its output in the log; rejects naming the command when it fails. */
  run(
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<void> {
    this.log(`$ ${command} ${args.join(' ')}`);
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd ?? process.cwd(),
        env: options.env ?? process.env,
        stdio: ['ignore', this.output, this.output],
      });
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        code === 0
          ? resolve()
          : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`)),
      );
    });
  }

  /** Time since this progress began. */
  elapsed(): string {
    return formatSeconds(performance.now() - this.#startedMs);
  }

  close(): void {
    closeSync(this.output);
  }

  #printLogTail(): void {
    const lines = readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-FAILURE_TAIL_LINES);
    console.error(`  last lines of ${this.logPath}:`);
    for (const line of lines) console.error(`  │ ${line}`);
  }
}
