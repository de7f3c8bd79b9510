/** A fetch double for the run-block's API client: records requests, answers from a script. */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  keepalive: boolean;
}

export type Responder = (
  request: RecordedRequest,
  signal: AbortSignal | undefined,
) => Response | Promise<Response>;

export function fakeFetch(respond: Responder) {
  const requests: RecordedRequest[] = [];
  const fetchFn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request: RecordedRequest = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      keepalive: init.keepalive ?? false,
    };
    requests.push(request);
    init.signal?.throwIfAborted();
    return respond(request, init.signal ?? undefined);
  };
  return { fetch: fetchFn as typeof fetch, requests };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export const OK_RESULT = {
  stdout: 'hello\n',
  stderr: '',
  exitCode: 0,
  timedOut: false,
  truncated: false,
  oomKilled: false,
  durationMs: 12,
};

/** An SSE answer whose chunks are sent as given; `hang` keeps the stream open until aborted. */
export function eventStream(
  chunks: Array<string | Uint8Array>,
  options: { hang?: boolean; signal?: AbortSignal | undefined } = {},
) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks)
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      if (!options.hang) controller.close();
      else options.signal?.addEventListener('abort', () => controller.error(options.signal?.reason));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
}

export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
