/**
 * Previews of published ports, over real HTTP into real playgrounds: nginx published in a session is
 * listed by GET /api/sessions/:id/ports and served through its link on the preview listener; links are
 * per session and die with it; guessed tokens, the bare preview host and the API's paths get nothing of
 * Dockyard's; the size limit and the WebSocket refusal hold.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlaygroundServer, startPlaygroundServer } from '../../../scripts/lib/playground-server.ts';

const RESPONSE_LIMIT_BYTES = 65_536;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request to a preview link. Node does not resolve `*.localhost` as browsers do, so it connects to the
 * listener's address and names the link's host in the Host header, as a browser would.
 */
function previewGet(
  listenerPort: number,
  url: string,
  path = '/',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const host = new URL(url).host;
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: listenerPort, path, headers: { host, ...headers } });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('previews of published ports', () => {
  let server: PlaygroundServer;
  let apiUrl: string;
  let previewPort: number;

  beforeAll(async () => {
    server = await startPlaygroundServer({
      PREVIEW_RESPONSE_LIMIT_BYTES: String(RESPONSE_LIMIT_BYTES),
      SESSION_LIMIT_PER_CLIENT: '3',
    });
    apiUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
    await server.previews.listen('127.0.0.1', 0);
    previewPort = Number(new URL(server.previews.origin).port);
  });
  afterAll(async () => {
    await server?.app.close();
  });

  async function portsOf(session: string): Promise<Array<{ port: number; container: string; url: string }>> {
    const response = await fetch(`${apiUrl}/api/sessions/${session}/ports`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Array<{ port: number; container: string; url: string }>;
  }

  async function publishNginx(session: string, marker: string): Promise<string> {
    // "started" once nginx answers inside the playground: its start-up on a busy machine has no fixed length.
    const result = await server.run(
      `docker run -d --name web -p 8080:80 nginx >/dev/null && docker exec web sh -c 'echo ${marker} > /usr/share/nginx/html/who.txt; head -c 200000 /dev/zero > /usr/share/nginx/html/big.bin' && (end=$(( $(date +%s) + 60 )); until curl -fs -o /dev/null localhost:8080/; do [ "$(date +%s)" -lt "$end" ] || exit 1; sleep 0.5; done) && echo started`,
      session,
    );
    expect(result.stdout + result.stderr).toContain('started');
    const ports = await portsOf(session);
    expect(ports).toEqual([{ port: 8080, container: 'web', containerPort: 80, url: expect.any(String) }]);
    return ports[0]?.url ?? '';
  }

  it('lists no ports in a fresh session', async () => {
    const session = await server.newSession();
    try {
      expect(await portsOf(session)).toEqual([]);
    } finally {
      await server.deleteSession(session);
    }
  });

  it('serves nginx through an unguessable link of its own session, and nothing after the session ends', async () => {
    const first = await server.newSession();
    const second = await server.newSession();
    try {
      const firstUrl = await publishNginx(first, 'session-one');
      const secondUrl = await publishNginx(second, 'session-two');
      expect(firstUrl).toMatch(/^http:\/\/[0-9a-f]{32}\.localhost:\d+\/$/);
      expect(firstUrl).not.toContain(first);
      expect(secondUrl).not.toBe(firstUrl);
      expect(await portsOf(first)).toEqual([expect.objectContaining({ url: firstUrl })]);

      const page = await previewGet(previewPort, firstUrl, '/', { cookie: 'site=secret' });
      expect(page.status).toBe(200);
      expect(page.body).toContain('Welcome to nginx');
      expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(page.headers['access-control-allow-origin']).toBeUndefined();
      expect(page.headers['set-cookie']).toBeUndefined();

      // Each link reaches its own session's playground only.
      expect((await previewGet(previewPort, firstUrl, '/who.txt')).body).toBe('session-one\n');
      expect((await previewGet(previewPort, secondUrl, '/who.txt')).body).toBe('session-two\n');

      // Dockyard's API is not behind a preview: /api/… is the container's own path (nginx's 404 page).
      const api = await previewGet(previewPort, firstUrl, '/api/health');
      expect(api.status).toBe(404);
      expect(api.body).toContain('nginx');

      // An answer larger than the limit is refused, not relayed.
      const big = await previewGet(previewPort, firstUrl, '/big.bin');
      expect(big.status).toBe(502);
      expect(big.body).toContain(`preview limit (${RESPONSE_LIMIT_BYTES} bytes)`);

      expect(await server.deleteSession(first)).toBe(204);
      const ended = await previewGet(previewPort, firstUrl, '/who.txt');
      expect(ended.status).toBe(404);
      expect(ended.body).toContain('not valid');
      expect((await previewGet(previewPort, secondUrl, '/who.txt')).status).toBe(200);
    } finally {
      await server.deleteSession(first);
      await server.deleteSession(second);
    }
  });

  it('answers 404 to guessed tokens, the bare preview host and other host names, without Dockyard’s API', async () => {
    const guessed = `http://${'0'.repeat(32)}.localhost:${previewPort}/`;
    expect((await previewGet(previewPort, guessed)).status).toBe(404);
    const bare = await previewGet(previewPort, `http://localhost:${previewPort}/`, '/api/health');
    expect(bare.status).toBe(404);
    expect(bare.headers['content-type']).toMatch(/^text\/plain/);
    const sessions = await previewGet(previewPort, `http://127.0.0.1:${previewPort}/`, '/api/sessions');
    expect(sessions.status).toBe(404);
  });

  it('refuses a WebSocket upgrade with 501 and says why', async () => {
    const session = await server.newSession();
    try {
      const url = await publishNginx(session, 'ws');
      const upgrade = await previewGet(previewPort, url, '/', {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      });
      expect(upgrade.status).toBe(501);
      expect(upgrade.body).toContain('WebSocket upgrades are not forwarded');
    } finally {
      await server.deleteSession(session);
    }
  });
});
