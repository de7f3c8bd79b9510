/**
 * GET /api/sessions/:id/ports → 200 [{ port, container, containerPort, url }]: the TCP ports the session's
 * containers publish (the inner engine's container list), each with its preview link — an origin of the
 * preview listener (previews/previews.ts), valid while the session lives. 404 for an unknown or
 * expired session, 502 when the playground's engine does not answer.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { RunnerUnavailableError } from '../errors.ts';
import type { Previews } from '../previews/previews.ts';
import { errorResponses } from '../schemas.ts';

const PortSchema = Type.Object(
  {
    port: Type.Integer({ description: 'the published port (8080 of -p 8080:80)' }),
    container: Type.String({ description: 'the container publishing it' }),
    containerPort: Type.Integer({ description: 'the container’s own port (80 of -p 8080:80)' }),
    url: Type.String({ description: 'preview link: what the port serves, on an origin of its own' }),
  },
  { additionalProperties: false },
);

export interface PortRoutesOptions {
  /** Without a docker runner there are no sessions: the route answers 503. */
  previews: Previews | undefined;
}

export function registerPortRoutes(app: FastifyInstance, options: PortRoutesOptions): void {
  app.get<{ Params: { id: string } }>(
    '/sessions/:id/ports',
    {
      schema: {
        summary: 'The session’s published ports, with links that show what they serve',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: Type.Array(PortSchema), ...errorResponses(404, 502, 503) },
      },
    },
    async (request) => {
      if (options.previews === undefined) throw new RunnerUnavailableError('docker runner not available');
      return options.previews.list(request.params.id);
    },
  );
}
