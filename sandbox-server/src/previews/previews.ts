/**
 * Previews: what a playground's published ports serve, shown in the reader's browser on an origin that
 * is never the site's — the pages are written by anyone, and on the site's origin their scripts could
 * act with the reader's sign-in. A listener of its own (PREVIEW_PORT) answers only host names
 * `<token>.<preview host>`: each link is an origin of its own, so one preview cannot read another either.
 * It serves nothing else — no /api, no site, no CORS — and refuses WebSocket upgrades (501: a tunnel
 * the server could not bound per message like HTTP answers). `list(sessionId)` gives the session's
 * published ports with their links, for GET /api/sessions/:id/ports.
 * A node with a NODE_ID puts it into its links (`<token>-<node>.<preview host>`, preview-host-label.ts)
 * so that a load balancer in front of several nodes sends each preview to the node holding its
 * session; a link of another node that reaches this one is answered 421, as the API answers a session
 * of another node.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Engine } from '../docker/engine.ts';
import type { SessionStore } from '../playground/session-store.ts';
import { parsePreviewHostLabel, previewHostLabel } from './preview-host-label.ts';
import { PreviewLinks, type PreviewTarget } from './preview-links.ts';
import { answer, forwardPreviewRequest, PREVIEW_RESPONSE_HEADERS } from './preview-proxy.ts';
import { listPublishedPorts } from './published-ports.ts';

export interface PortPreview {
  port: number;
  container: string;
  containerPort: number;
  url: string;
}

export interface PreviewsOptions {
  config: Config;
  engine: Engine;
  sessions: SessionStore;
  log: FastifyBaseLogger;
}

export class Previews {
  readonly #options: PreviewsOptions;
  readonly #links: PreviewLinks;
  readonly #inFlight = new Map<string, number>();
  #server: Server | undefined;
  #origin: URL;

  constructor(options: PreviewsOptions) {
    this.#options = options;
    this.#links = new PreviewLinks(options.sessions);
    // Until the listener has its port (PREVIEW_PORT 0: a free one), the configured one stands in.
    this.#origin = new URL(options.config.previewOrigin || `http://localhost:${options.config.previewPort}`);
  }

  /** The preview listener's origin as readers reach it; each link is a subdomain of its host. */
  get origin(): string {
    return this.#origin.origin;
  }

  /** The session's published TCP ports with their preview links; NotFoundError for a dead session. */
  async list(sessionId: string): Promise<PortPreview[]> {
    const { sessions, engine } = this.#options;
    const session = sessions.get(sessionId);
    const ports = await listPublishedPorts(engine, session.playgroundId);
    return ports.map(({ port, address, container, containerPort }) => {
      const token = this.#links.tokenFor({ sessionId, playgroundId: session.playgroundId, port, address });
      return { port, container, containerPort, url: this.#url(token) };
    });
  }

  /** Starts the preview listener; port 0 takes a free one (the links then name it). */
  async listen(host: string, port: number): Promise<void> {
    const { config } = this.#options;
    const server = createServer((request, response) => void this.#serve(request, response));
    server.requestTimeout = config.previewTimeoutMs;
    server.headersTimeout = Math.min(config.previewTimeoutMs, 60_000);
    server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => refuseUpgrade(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const address = server.address();
    if (config.previewOrigin === '' && typeof address === 'object' && address !== null) {
      this.#origin = new URL(`http://localhost:${address.port}`);
    }
    this.#options.log.info(`previews on ${this.#origin.origin} (each link: <token>.${this.#origin.host})`);
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Only an explicit NODE_ID: a single node's links stay `<token>.<preview host>`. */
  get #node(): string | null {
    return this.#options.config.nodeId === '' ? null : this.#options.config.nodeId;
  }

  #url(token: string): string {
    return `${this.#origin.protocol}//${previewHostLabel({ token, node: this.#node })}.${this.#origin.host}/`;
  }

  /**
   * What the request's host name names: a live target of this node, another node (its link reached the
   * wrong node), or nothing this node knows.
   */
  #targetOf(request: IncomingMessage): PreviewTarget | { otherNode: string } | undefined {
    const hostname = (request.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    const dot = hostname.indexOf('.');
    if (dot < 0 || hostname.slice(dot + 1) !== this.#origin.hostname) return undefined;
    const label = parsePreviewHostLabel(hostname.slice(0, dot));
    if (label === null) return undefined;
    if (label.node !== null && label.node !== this.#node) return { otherNode: label.node };
    if (label.node !== this.#node) return undefined;
    return this.#links.resolve(label.token);
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { config, engine, log } = this.#options;
    const target = this.#targetOf(request);
    if (target === undefined) {
      request.resume();
      answer(response, 404, 'this preview link is not valid, or its playground session has ended');
      return;
    }
    if ('otherNode' in target) {
      request.resume();
      answer(
        response,
        421,
        `this preview link belongs to a playground on node "${target.otherNode}", and this ${this.#node === null ? 'node has no NODE_ID' : `is node "${this.#node}"`}: ` +
          `the load balancer must send <token>-${target.otherNode}.… to that node. If that node is gone, so is the playground: ` +
          'run the example again for a new link',
      );
      return;
    }
    const inFlight = this.#inFlight.get(target.sessionId) ?? 0;
    if (inFlight >= config.previewRequestsPerSession) {
      request.resume();
      response.setHeader('retry-after', '1');
      answer(
        response,
        429,
        `at most ${config.previewRequestsPerSession} preview requests at once per playground`,
      );
      return;
    }
    this.#inFlight.set(target.sessionId, inFlight + 1);
    try {
      await forwardPreviewRequest(
        engine,
        target,
        {
          requestBodyLimitBytes: config.requestBodyLimitBytes,
          responseLimitBytes: config.previewResponseLimitBytes,
          timeoutMs: config.previewTimeoutMs,
        },
        request,
        response,
      );
    } catch (error) {
      log.warn({ err: error }, 'preview request failed');
      if (!response.headersSent) answer(response, 502, 'the preview failed');
      else response.destroy();
    } finally {
      const left = (this.#inFlight.get(target.sessionId) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(target.sessionId);
      else this.#inFlight.set(target.sessionId, left);
    }
  }
}

function refuseUpgrade(socket: Duplex): void {
  const body =
    '501 — 预览不转发 WebSocket 连接\nWebSocket upgrades are not forwarded to previews: only HTTP requests are.\n';
  const headers = Object.entries(PREVIEW_RESPONSE_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 501 Not Implemented\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}connection: close\r\n\r\n${body}`,
  );
}
