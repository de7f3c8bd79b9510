/**
 * GET /api/openapi.json: the OpenAPI document generated from the TypeBox
 * schemas every route declares (@fastify/swagger collects them).
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/** Must be registered (at the root) before the routes it documents. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Dockyard sandbox API',
        description: 'Runs documentation snippets in disposable, locked-down containers.',
        version: '1.0.0',
      },
    },
    hideUntagged: false,
  });
}

/** The document's route, in the API scope. */
export function registerOpenApiRoute(scope: FastifyInstance, app: FastifyInstance): void {
  scope.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
