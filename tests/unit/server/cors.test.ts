import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../sandbox-server/src/config.ts';
import { registerCors } from '../../../sandbox-server/src/plugins/cors.ts';

// A site built with PUBLIC_SANDBOX_URL calls the API from another origin; CORS_ORIGINS allows it.
const SITE = 'https://docs.example';

let app: FastifyInstance | undefined;

async function appWith(corsOrigins: string): Promise<FastifyInstance> {
  app = Fastify();
  registerCors(app, loadConfig({ CORS_ORIGINS: corsOrigins }));
  app.post('/api/run', async (_request, reply) =>
    reply.code(429).header('retry-after', '3').send({ message: 'busy' }),
  );
  await app.ready();
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('CORS for the API', () => {
  it('answers an allowed origin’s preflight and lets the page read Retry-After', async () => {
    const server = await appWith(`${SITE}, https://other.example`);
    const preflight = await server.inject({
      method: 'OPTIONS',
      url: '/api/run',
      headers: {
        origin: SITE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(SITE);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');

    const busy = await server.inject({
      method: 'POST',
      url: '/api/run',
      headers: { origin: SITE },
      payload: {},
    });
    expect(busy.headers['access-control-allow-origin']).toBe(SITE);
    expect(busy.headers['access-control-expose-headers']).toBe('Retry-After');
    expect(busy.headers.vary).toContain('Origin');
  });

  it('gives other origins nothing', async () => {
    const server = await appWith(SITE);
    const response = await server.inject({
      method: 'POST',
      url: '/api/run',
      headers: { origin: 'https://evil.example' },
      payload: {},
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is same-origin only when no origins are configured', async () => {
    const server = await appWith('');
    const response = await server.inject({
      method: 'POST',
      url: '/api/run',
      headers: { origin: SITE },
      payload: {},
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
