/**
 * The page's side of published ports and terminal tickets: ports are listed only for a session the page
 * already has (none is started for it) and a session the server forgot means none; a ticket is asked for
 * only with a sign-in token, with that token as a bearer.
 */
import { describe, expect, it } from 'vitest';
import { PlaygroundSession } from '../../../site/run-block/playground-session.ts';
import { SandboxClient } from '../../../site/run-block/sandbox-client.ts';
import { fakeFetch, json, type RecordedRequest } from './fake-fetch.ts';

const PORT = { port: 8080, container: 'web', containerPort: 80, url: 'http://0123.localhost:4322/' };

function fakeSandbox(token: string | null = null) {
  let sessionLive = true;
  const { fetch, requests } = fakeFetch(async (request: RecordedRequest) => {
    if (request.method === 'POST' && request.url === '/api/sessions') {
      return json(201, { id: 's1', expiresAt: '2030-01-01T00:00:00Z' });
    }
    if (!sessionLive) return json(404, { message: 'session not found' });
    if (request.url === '/api/sessions/s1/ports') return json(200, [PORT]);
    if (request.url === '/api/sessions/s1/terminal-ticket') return json(201, { ticket: 't1', expiresAt: '' });
    return json(404, { message: 'no route' });
  });
  const client = new SandboxClient('', fetch, () => token);
  return { client, requests, end: () => (sessionLive = false) };
}

describe('published ports and terminal tickets on the page', () => {
  it('lists ports only of an existing session, and none once the server forgot it', async () => {
    const { client, requests, end } = fakeSandbox();
    const playground = new PlaygroundSession(client);
    expect(await playground.ports()).toEqual([]);
    expect(requests).toHaveLength(0);
    await playground.sessionId();
    expect(await playground.ports()).toEqual([PORT]);
    end();
    expect(await playground.ports()).toEqual([]);
    const before = requests.length;
    expect(await playground.ports()).toEqual([]);
    expect(requests).toHaveLength(before);
  });

  it('asks for a terminal ticket only with a sign-in token, sending it as a bearer', async () => {
    const anonymous = fakeSandbox();
    expect(await anonymous.client.terminalTicket('s1')).toBeNull();
    expect(anonymous.requests).toHaveLength(0);

    const signedIn = fakeSandbox('team-token-0123456789');
    expect(await signedIn.client.terminalTicket('s1')).toBe('t1');
    expect(signedIn.requests[0]).toMatchObject({ method: 'POST', url: '/api/sessions/s1/terminal-ticket' });
    expect(signedIn.requests[0]?.headers.authorization).toBe('Bearer team-token-0123456789');
  });
});
