/**
 * Talks to the sandbox API (sandbox-server/README.md, "The API contract"): POST /api/run streamed as
 * server-sent events, and the playground's sessions. Every failure becomes a
 * SandboxError whose `problem` says, in terms the reader cares about, what
 * went wrong; aborting the signal rejects with the signal's reason, and the
 * server kills the run when the request goes away.
 */

import type { RunResult } from '../../sandbox-server/src/runs/run-result.ts';
import { SseParser } from './sse-parser.ts';

/** The API's answer to a run: the server's own schema type (a type-only import, erased at run time). */
export type { RunResult };

export type RunnerName = 'shell' | 'docker';
export type StreamName = 'stdout' | 'stderr';
export type OutputHandler = (stream: StreamName, text: string) => void;

export interface RunRequest {
  runner: RunnerName;
  code: string;
  session?: string;
}

export interface Session {
  id: string;
  expiresAt: string;
}

/** A published port of the playground and its preview link (GET /api/sessions/:id/ports). */
export interface PortPreview {
  port: number;
  container: string;
  containerPort: number;
  url: string;
}

export type SandboxProblem =
  | { kind: 'unreachable' }
  | { kind: 'engine-down' }
  | { kind: 'busy'; retryAfterS: number | undefined }
  | { kind: 'session-gone' }
  | { kind: 'too-large' }
  | { kind: 'sign-in-required' }
  | { kind: 'rejected'; message: string }
  | { kind: 'server-error'; status: number }
  | { kind: 'connection-lost' };

export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly problem: SandboxProblem;

  constructor(problem: SandboxProblem, message: string = problem.kind) {
    super(message);
    this.problem = problem;
  }
}

type Fetch = typeof fetch;

export class SandboxClient {
  readonly #base: string;
  readonly #fetch: Fetch;
  readonly #token: () => string | null;

  /**
   * `baseUrl`: origin of the sandbox API, '' for the page's own origin. `token`: the reader's sign-in
   * token for a server with AUTH_MODE=token (sent as a bearer token), null when there is none.
   */
  constructor(
    baseUrl: string,
    fetchFn: Fetch = (...args) => fetch(...args),
    token: () => string | null = () => null,
  ) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetchFn;
    this.#token = token;
  }

  async run(request: RunRequest, onOutput: OutputHandler, signal: AbortSignal): Promise<RunResult> {
    // A session's runs name it in the path: a load balancer in front of several servers routes them to
    // the one holding the session without reading the body.
    const { session } = request;
    const [path, body] =
      session === undefined
        ? ['/api/run', request]
        : [`/api/sessions/${encodeURIComponent(session)}/run`, { code: request.code }];
    const response = await this.#request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await problemOf(response, request.session !== undefined);
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('application/json')) {
      const result = (await response.json()) as RunResult;
      if (result.stdout) onOutput('stdout', result.stdout);
      if (result.stderr) onOutput('stderr', result.stderr);
      return result;
    }
    if (!type.startsWith('text/event-stream') || !response.body) {
      // Something other than the sandbox answered (a static host's fallback page).
      throw new SandboxError({ kind: 'unreachable' }, `unexpected ${type || 'untyped'} answer`);
    }
    return readEventStream(response.body, onOutput, signal);
  }

  async createSession(signal?: AbortSignal): Promise<Session> {
    const response = await this.#request('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw await problemOf(response, false);
    return (await response.json()) as Session;
  }

  /** Ends a session; one that is already gone (404, or 421: its server is gone) counts as ended. */
  async deleteSession(id: string, options: { keepalive?: boolean } = {}): Promise<void> {
    const response = await this.#request(`/api/sessions/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      keepalive: options.keepalive ?? false,
    });
    if (!response.ok && response.status !== 404 && response.status !== 421)
      throw await problemOf(response, false);
  }

  /** The session's published ports, with links to what they serve (on the server's preview origin). */
  async listPorts(sessionId: string, signal?: AbortSignal): Promise<PortPreview[]> {
    const response = await this.#request(`/api/sessions/${encodeURIComponent(sessionId)}/ports`, {
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw await problemOf(response, true);
    return (await response.json()) as PortPreview[];
  }

  /**
   * With a sign-in token, a single-use ticket for the session's terminal WebSocket (a browser cannot
   * send the token's header with a WebSocket); null without one.
   */
  async terminalTicket(sessionId: string): Promise<string | null> {
    if (this.#token() === null) return null;
    const response = await this.#request(`/api/sessions/${encodeURIComponent(sessionId)}/terminal-ticket`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (!response.ok) throw await problemOf(response, true);
    return ((await response.json()) as { ticket: string }).ticket;
  }

  async #request(path: string, init: RequestInit): Promise<Response> {
    const token = this.#token();
    const headers =
      token === null
        ? init.headers
        : { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` };
    try {
      return await this.#fetch(`${this.#base}${path}`, {
        ...init,
        ...(headers === undefined ? {} : { headers }),
      });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new SandboxError({ kind: 'unreachable' }, error instanceof Error ? error.message : String(error));
    }
  }
}

async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onOutput: OutputHandler,
  signal: AbortSignal,
): Promise<RunResult> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new SandboxError(
          { kind: 'connection-lost' },
          error instanceof Error ? error.message : String(error),
        );
      }
      const text = chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      for (const { event, data } of parser.push(text)) {
        if (event === 'stdout' || event === 'stderr') onOutput(event, JSON.parse(data) as string);
        else if (event === 'exit') return JSON.parse(data) as RunResult;
        else if (event === 'error') {
          const { statusCode, message } = JSON.parse(data) as { statusCode: number; message: string };
          throw new SandboxError(problemFor(statusCode, message, false, undefined), message);
        }
      }
      if (chunk.done)
        throw new SandboxError({ kind: 'connection-lost' }, 'stream ended without an exit event');
    }
  } finally {
    reader.releaseLock();
  }
}

async function problemOf(response: Response, sentSession: boolean): Promise<SandboxError> {
  const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
  const body = isJson ? ((await response.json().catch(() => ({}))) as { message?: unknown }) : {};
  const message = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  // Only the sandbox answers JSON; anything else (a static host's 404/405 page, a proxy's 502) means it is not there.
  if (!isJson) return new SandboxError({ kind: 'unreachable' }, message);
  return new SandboxError(
    problemFor(response.status, message, sentSession, Number.isNaN(retryAfter) ? undefined : retryAfter),
    message,
  );
}

function problemFor(
  status: number,
  message: string,
  sentSession: boolean,
  retryAfterS: number | undefined,
): SandboxProblem {
  // 421: the session's server is gone (or unknown to the load balancer); for the reader, the session ended.
  if ((status === 404 || status === 421) && sentSession) return { kind: 'session-gone' };
  if (status === 404 || status === 405) return { kind: 'unreachable' };
  if (status === 429) return { kind: 'busy', retryAfterS };
  if (status === 401) return { kind: 'sign-in-required' };
  if (status === 503) return { kind: 'engine-down' };
  if (status === 413) return { kind: 'too-large' };
  if (status === 400 || status === 415) return { kind: 'rejected', message };
  return { kind: 'server-error', status };
}
