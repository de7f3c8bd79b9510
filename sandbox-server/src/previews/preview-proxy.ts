/**
 * Forwards one browser request on the preview listener to a port inside a playground, and its answer
 * back. The playground has no network: each request is carried by `socat - TCP:<address>:<port>` started
 * in the playground's network namespace (playground-exec) over an exec's stdio (Engine.execPipe), with
 * node:http speaking HTTP/1.1 over that pipe. Bounded: the request body (REQUEST_BODY_LIMIT_BYTES), the
 * response body (PREVIEW_RESPONSE_LIMIT_BYTES: refused up front when announced larger, cut off when it
 * grows beyond) and the wall time (PREVIEW_TIMEOUT_MS). The answer never carries cookies either way,
 * and gets headers that keep it to its own origin.
 */
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Engine, ExecPipe } from '../docker/engine.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC } from '../playground/playground-container.ts';
import type { PreviewTarget } from './preview-links.ts';

export interface PreviewLimits {
  requestBodyLimitBytes: number;
  responseLimitBytes: number;
  timeoutMs: number;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and what must not cross between the reader's browser and the playground. */
const DROPPED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // The reader's cookies and credentials of any origin stay in the browser; a preview sets none.
  'cookie',
  'set-cookie',
  'authorization',
]);

/**
 * Sent with every preview answer: no other origin may embed or read it (CORP), it shares no browsing
 * context group with the page that opened it (COOP: it cannot script the handbook's tab), it leaks
 * its token-bearing URL to nobody (Referrer-Policy), no cache keeps it past the session.
 */
export const PREVIEW_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export async function forwardPreviewRequest(
  engine: Engine,
  target: PreviewTarget,
  limits: PreviewLimits,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const path = incoming.url ?? '/';
  if (!path.startsWith('/')) return answer(outgoing, 400, 'bad request target');
  const announced = Number(incoming.headers['content-length'] ?? 0);
  if (announced > limits.requestBodyLimitBytes) {
    return answer(outgoing, 413, `request body larger than ${limits.requestBodyLimitBytes} bytes`);
  }
  let pipe: ExecPipe;
  try {
    pipe = await engine.execPipe(target.playgroundId, {
      cmd: [
        PLAYGROUND_EXEC,
        'socat',
        '-T',
        String(Math.ceil(limits.timeoutMs / 1000)),
        '-',
        `TCP:${target.address}:${target.port}`,
      ],
      env: [...PLAYGROUND_ENV],
    });
  } catch {
    return answer(outgoing, 502, 'the playground could not be reached');
  }
  await new Promise<void>((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pipe.destroy();
      resolve();
    };
    const fail = (status: number, message: string) => {
      if (outgoing.headersSent) outgoing.destroy();
      else answer(outgoing, status, message);
      finish();
    };
    const timer = setTimeout(
      () => fail(504, `port ${target.port} did not answer within ${limits.timeoutMs / 1000} s`),
      limits.timeoutMs,
    );
    outgoing.once('close', finish);

    const upstream = httpRequest({
      createConnection: () => pipe,
      method: incoming.method ?? 'GET',
      path,
      headers: {
        ...forwardedHeaders(incoming.headers),
        host: `localhost:${target.port}`,
        connection: 'close',
      },
    });
    upstream.on('error', () => {
      const refused = /refused|no route|unreachable/i.test(pipe.stderr);
      fail(
        502,
        refused
          ? `nothing answers on port ${target.port} in the playground (is its container running?)`
          : `port ${target.port} did not answer with HTTP`,
      );
    });
    upstream.on('response', (response) => {
      const length = Number(response.headers['content-length'] ?? 0);
      if (length > limits.responseLimitBytes) {
        response.destroy();
        fail(
          502,
          `the answer (${length} bytes) is larger than the preview limit (${limits.responseLimitBytes} bytes)`,
        );
        return;
      }
      outgoing.writeHead(response.statusCode ?? 502, {
        ...forwardedHeaders(response.headers),
        ...PREVIEW_RESPONSE_HEADERS,
      });
      let sent = 0;
      response.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        if (sent > limits.responseLimitBytes) {
          // Headers are out: the only way to say "incomplete" is to cut the connection.
          response.destroy();
          fail(502, 'cut off at the preview size limit');
        } else if (!outgoing.write(chunk)) {
          response.pause();
          outgoing.once('drain', () => response.resume());
        }
      });
      response.on('end', () => {
        outgoing.end();
        finish();
      });
      response.on('error', () => fail(502, 'the answer broke off'));
    });

    let received = 0;
    incoming.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.requestBodyLimitBytes) {
        fail(413, `request body larger than ${limits.requestBodyLimitBytes} bytes`);
        incoming.destroy();
      } else upstream.write(chunk);
    });
    incoming.on('end', () => upstream.end());
    incoming.on('error', finish);
  });
}

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name) || name in PREVIEW_RESPONSE_HEADERS) continue;
    kept[name] = value;
  }
  return kept;
}

/** The preview's own answers (errors), in both of the handbook's languages: a reader sees them in a tab. */
export function answer(outgoing: ServerResponse, status: number, message: string): void {
  const text = `${status} — ${PREVIEW_ERROR_ZH[status] ?? '预览失败'}\n${message}\n`;
  outgoing.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...PREVIEW_RESPONSE_HEADERS,
  });
  outgoing.end(text);
}

const PREVIEW_ERROR_ZH: Readonly<Record<number, string>> = {
  400: '请求无效',
  404: '这个预览链接无效或已过期（练习环境结束后链接随之失效）',
  413: '请求内容太大',
  421: '这个预览链接属于另一个节点上的练习环境，请求被送到了别的节点；如果那个节点已经停止，练习环境也随之结束了',
  429: '同时打开的预览请求太多，请稍后再试',
  501: '预览不转发 WebSocket 连接',
  502: '练习环境里的服务没有正常应答',
  504: '练习环境里的服务没有及时应答',
};
