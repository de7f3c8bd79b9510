/**
 * What the server records about one run: its metrics and exactly one log line, with the runner,
 * the time it waited and ran, its exit code, the limit it hit, a hashed client id and a shortened
 * session id. Never the code, the output, the client's address or a whole session id: a log must
 * not hand anyone a reader's snippet or a live session.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from '../errors.ts';
import type { RunnerName } from '../runners/runner.ts';
import type { RunResult } from '../runs/run-result.ts';
import {
  type RunLimit,
  type RunOutcome,
  runDurationSeconds,
  runLimitHitsTotal,
  runQueueWaitSeconds,
  runsTotal,
} from './metrics.ts';

/** Per process, so a logged client id cannot be matched against hashes of every IPv4 address. */
const CLIENT_HASH_SALT = randomBytes(16);
export const SHORT_ID_LENGTH = 8;

export function hashClientId(client: string): string {
  return createHash('sha256').update(CLIENT_HASH_SALT).update(client).digest('hex').slice(0, 12);
}

export function shortenId(id: string): string {
  return id.length <= SHORT_ID_LENGTH ? id : `${id.slice(0, SHORT_ID_LENGTH)}…`;
}

export function limitsHit(result: RunResult): RunLimit[] {
  const limits: RunLimit[] = [];
  if (result.timedOut) limits.push('timeout');
  if (result.truncated) limits.push('output');
  if (result.oomKilled) limits.push('memory');
  return limits;
}

export class RunObservation {
  readonly #log: FastifyBaseLogger;
  readonly #runner: RunnerName;
  readonly #client: string;
  readonly #session: string | undefined;
  readonly #receivedMs = performance.now();
  #startedMs: number | undefined;

  constructor(log: FastifyBaseLogger, runner: RunnerName, client: string, session: string | undefined) {
    this.#log = log;
    this.#runner = runner;
    this.#client = client;
    this.#session = session;
  }

  /** The run got its slot and begins. */
  started(): void {
    this.#startedMs = performance.now();
    runQueueWaitSeconds.observe({ runner: this.#runner }, (this.#startedMs - this.#receivedMs) / 1000);
  }

  finished(result: RunResult): void {
    const limits = limitsHit(result);
    for (const limit of limits) runLimitHitsTotal.inc({ runner: this.#runner, limit });
    const outcome: RunOutcome =
      limits.length > 0 ? 'limit' : result.exitCode === 0 ? 'exit_zero' : 'exit_nonzero';
    this.#record(outcome, { exitCode: result.exitCode, limit: limits.join(',') || null });
  }

  /** The run produced no result: refused, unavailable, or stopped because nobody waits for it. */
  failed(error: unknown, aborted: boolean): void {
    const status = error instanceof HttpError ? error.statusCode : 500;
    const outcome: RunOutcome = aborted ? 'aborted' : status < 500 ? 'rejected' : 'unavailable';
    this.#record(outcome, { status });
  }

  #record(outcome: RunOutcome, details: Record<string, unknown>): void {
    const endMs = performance.now();
    runsTotal.inc({ runner: this.#runner, outcome });
    const ran = this.#startedMs !== undefined;
    if (ran)
      runDurationSeconds.observe({ runner: this.#runner }, (endMs - (this.#startedMs ?? endMs)) / 1000);
    this.#log.info(
      {
        runner: this.#runner,
        outcome,
        ...details,
        queueWaitMs: Math.round((this.#startedMs ?? endMs) - this.#receivedMs),
        durationMs: ran ? Math.round(endMs - (this.#startedMs ?? endMs)) : null,
        client: hashClientId(this.#client),
        session: this.#session === undefined ? null : shortenId(this.#session),
      },
      'run',
    );
  }
}
