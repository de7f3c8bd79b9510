/**
 * The parts of previews that need no engine: reading the inner engine's container list into published
 * ports, GET /api/sessions/:id/ports for a session that does not exist, and what the preview listener
 * answers to host names that are not a live link of its own node.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../../../sandbox-server/src/app.ts';
import { newSessionId } from '../../../sandbox-server/src/cluster/session-id.ts';
import { loadConfig } from '../../../sandbox-server/src/config.ts';
import { newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import { publishedPortsOf } from '../../../sandbox-server/src/previews/published-ports.ts';
import { FakeEngine } from './fakes/fake-engine.ts';
import { TEST_ENV } from './fakes/test-app.ts';

describe('publishedPortsOf', () => {
  it('lists each published TCP port once, lowest first, with where it is reached', () => {
    const ports = publishedPortsOf([
      {
        Names: ['/web'],
        Ports: [
          { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { PrivatePort: 443, Type: 'tcp' },
        ],
      },
      {
        Names: ['/dns'],
        Ports: [
          { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
          { IP: '127.0.0.2', PrivatePort: 8080, PublicPort: 81, Type: 'tcp' },
        ],
      },
      { Names: ['/quiet'] },
    ]);
    expect(ports).toEqual([
      { port: 81, address: '127.0.0.2', container: 'dns', containerPort: 8080 },
      { port: 8080, address: '127.0.0.1', container: 'web', containerPort: 80 },
    ]);
  });
});

describe('GET /api/sessions/:id/ports', () => {
  it('answers 404 for a session that does not exist, and 503 without a docker runner', async () => {
    for (const docker of [true, false]) {
      const { app, nodeId } = await buildSandbox({
        config: loadConfig({ ...TEST_ENV, PLAYGROUND_POOL_SIZE: '0' }),
        engine: new FakeEngine(),
        identity: newInstanceIdentity(),
        runners: { shell: false, docker },
        serveSite: false,
      });
      const response = await app.inject({ url: `/api/sessions/${newSessionId(nodeId)}/ports` });
      expect(response.statusCode).toBe(docker ? 404 : 503);
      expect((await app.inject({ url: '/api/sessions/nope/ports' })).statusCode).toBe(docker ? 400 : 503);
      await app.close();
    }
  });
});

/** Status and body of a GET on the preview listener with this Host header. */
function previewAnswer(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the preview listener of a node', () => {
  const token = 'f'.repeat(32);

  async function listening(nodeId: string) {
    const { app, playgrounds } = await buildSandbox({
      config: loadConfig({ ...TEST_ENV, PLAYGROUND_POOL_SIZE: '0', NODE_ID: nodeId }),
      engine: new FakeEngine(),
      identity: newInstanceIdentity(),
      runners: { shell: false, docker: true },
      serveSite: false,
    });
    if (playgrounds === undefined) throw new Error('no docker runner');
    await playgrounds.previews.listen('127.0.0.1', 0);
    const port = Number(new URL(playgrounds.previews.origin).port);
    return { app, port };
  }

  it('with a NODE_ID answers 421 in both languages to another node’s link, 404 to unknown links of its own', async () => {
    const { app, port } = await listening('node-a');
    try {
      const misdirected = await previewAnswer(port, `${token}-node-b.localhost:${port}`);
      expect(misdirected.status).toBe(421);
      expect(misdirected.body).toContain('另一个节点');
      expect(misdirected.body).toContain(
        `belongs to a playground on node "node-b", and this is node "node-a": the load balancer must send <token>-node-b.… to that node`,
      );
      // Its own node's label with a token it never gave out, or a single node's label: nothing.
      expect((await previewAnswer(port, `${token}-node-a.localhost:${port}`)).status).toBe(404);
      expect((await previewAnswer(port, `${token}.localhost:${port}`)).status).toBe(404);
      // Another node's label on another preview host is no link at all.
      expect((await previewAnswer(port, `${token}-node-b.elsewhere.test`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('without a NODE_ID answers 421 to a node’s link and 404 to its own kind of unknown link', async () => {
    const { app, port } = await listening('');
    try {
      const misdirected = await previewAnswer(port, `${token}-node-b.localhost:${port}`);
      expect(misdirected.status).toBe(421);
      expect(misdirected.body).toContain('this node has no NODE_ID');
      expect((await previewAnswer(port, `${token}.localhost:${port}`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
