/**
 * The parts of previews that need no engine: reading the inner engine's container list into published
 * ports, and GET /api/sessions/:id/ports for a session that does not exist.
 */
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
