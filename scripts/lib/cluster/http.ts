/**
 * One HTTP request with node:http, so a test can choose the loopback address it comes from (each
 * address is a distinct client for the per-client limits) and read the answer whatever its status.
 */
import { request as httpRequest } from 'node:http';

export interface HttpAnswer {
  status: number;
  /** The node that answered (`x-dockyard-node`), if a Dockyard node did. */
  node: string | undefined;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface HttpOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Local address to send from, e.g. 127.0.1.7. */
  from?: string;
  /** Sent as they are; a Host here names a host the URL's address serves (a preview link). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function http(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        ...(options.from === undefined ? {} : { localAddress: options.from }),
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const node = res.headers['x-dockyard-node'];
          resolve({
            status: res.statusCode ?? 0,
            node: typeof node === 'string' ? node : undefined,
            body,
            json: <T>() => JSON.parse(body) as T,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within the timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}
