/**
 * A small client for the sandbox API (sandbox-server/README.md, "The API contract") as the doc-tests use it: runs, playground
 * sessions, health. A 429 is waited out (Retry-After) up to BUSY_WAIT_LIMIT_MS; anything else
 * that is not the documented success is an error naming the status and the server's message.
 */

import type { RunResult } from '../../../sandbox-server/src/runs/run-result.ts';
import type { Runner } from '../../../site/runnable-blocks.ts';

/** The API's answer to a run: the server's own schema type (a type-only import, erased at run time). */
export type { RunResult };

/** How long one request may wait in total for a busy (429) server. */
const BUSY_WAIT_LIMIT_MS = 180_000;
/** Used when a 429 comes without Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1_000;
/**
 * Upper bound for one HTTP request, a safety net against a hung server: the server itself ends a run
 * at its wall-time limit (a playground run: PLAYGROUND_RUN_TIMEOUT_MS, 3 min by default) and a new
 * session takes ~a minute at worst.
 */
const REQUEST_TIMEOUT_MS = 600_000;

export class SandboxApiError extends Error {
  override name = 'SandboxApiError';
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function retryAfterMs(response: Response): number {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.max(seconds * 1000, 100) : DEFAULT_RETRY_AFTER_MS;
}

export class SandboxClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const deadline = Date.now() + BUSY_WAIT_LIMIT_MS;
    for (;;) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          ...(body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        const reason =
          error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
        throw new SandboxApiError(`${method} ${path}: no answer from ${this.baseUrl} (${reason})`);
      }
      if (response.status !== 429) return response;
      const wait = retryAfterMs(response);
      await response.body?.cancel();
      if (Date.now() + wait > deadline) {
        throw new SandboxApiError(
          `${method} ${path}: still busy (429) after ${BUSY_WAIT_LIMIT_MS / 1000} s`,
          429,
        );
      }
      await sleep(wait);
    }
  }

  private async expect<T>(response: Response, status: number, what: string): Promise<T> {
    const text = await response.text();
    if (response.status !== status) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new SandboxApiError(`${what}: HTTP ${response.status} ${message}`.trim(), response.status);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async run(runner: Runner, code: string, session?: string): Promise<RunResult> {
    const response = await this.request('POST', '/api/run', {
      runner,
      code,
      ...(session ? { session } : {}),
    });
    return this.expect<RunResult>(response, 200, 'POST /api/run');
  }

  async createSession(): Promise<string> {
    // A JSON body: the server refuses body-less state changes (a cross-site form could send those).
    const response = await this.request('POST', '/api/sessions', {});
    const { id } = await this.expect<{ id: string }>(response, 201, 'POST /api/sessions');
    return id;
  }

  async deleteSession(id: string): Promise<void> {
    const response = await this.request('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
    await this.expect<undefined>(response, 204, `DELETE /api/sessions/${id}`);
  }

  /** `undefined` when healthy, otherwise the reason. */
  async unhealthyReason(): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      return response.status === 200 ? undefined : `HTTP ${response.status} ${text}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
