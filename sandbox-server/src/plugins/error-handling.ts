/**
 * Turns every failure into the contract's JSON error (sandbox-server/README.md, "The API contract") with a
 * message that names the problem: validation errors name the field, parser
 * errors say what was wrong with the body, HttpErrors keep their status (and
 * Retry-After). Unknown /api paths answer JSON 404; unknown pages get the
 * static site's 404 page when a site is served.
 */

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { SESSION_ID_FORMAT, SESSION_ID_PATTERN } from '../cluster/session-id.ts';
import { HttpError } from '../errors.ts';
import type { NotFoundPage } from './static-site.ts';

/** Pattern used by string fields that must not carry NUL bytes. */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

export function errorBody(statusCode: number, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

export interface ErrorHandlingOptions {
  bodyLimitBytes: number;
  /** The static site's 404 page for a path, when a site is served. */
  notFoundPage?: NotFoundPage | undefined;
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(describeSchemaErrors(errors, dataVar)));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.retryAfterS !== undefined) reply.header('retry-after', String(error.retryAfterS));
      // An HttpError is an answer the server chose (engine down, runner unavailable): its message says it all.
      if (error.statusCode >= 500) request.log.warn(error.message);
      return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody(500, 'internal error'));
    }
    if (status === 429) {
      return reply.code(429).send(errorBody(429, error.message));
    }
    return reply.code(status).send(errorBody(status, clientErrorMessage(error, options.bodyLimitBytes)));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isPageRequest =
      !path.startsWith('/api/') && (request.method === 'GET' || request.method === 'HEAD');
    const page = isPageRequest ? options.notFoundPage?.(path) : undefined;
    if (page !== undefined) return reply.code(404).type('text/html; charset=utf-8').send(page);
    return reply.code(404).send(errorBody(404, `no route ${request.method} ${path}`));
  });
}

function clientErrorMessage(error: FastifyError, bodyLimitBytes: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Content-Type must be application/json';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `body is not valid JSON: ${error.message}`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body is empty; a JSON object is expected';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `body is larger than the limit of ${bodyLimitBytes} bytes`;
    default:
      return error.message;
  }
}

/** One sentence for the first problem found, naming the field (e.g. "body/code must be a string"). */
export function describeSchemaErrors(errors: readonly unknown[], dataVar: string): string {
  const list = errors as SchemaError[];
  // A union reports one error per branch plus a summary; the branches carry the allowed values.
  const first = list.find((e) => e.keyword !== 'boolean') ?? list[0];
  if (!first) return `${dataVar} is invalid`;
  const where = `${dataVar}${first.instancePath}`;
  switch (first.keyword) {
    case 'required': {
      const missing = (first.params.requiredProperties as string[] | undefined) ?? [];
      return `${dataVar} is missing required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`;
    }
    case 'additionalProperties': {
      const extra = (first.params.additionalProperties as string[] | undefined) ?? [];
      return `${dataVar} has unknown field${extra.length > 1 ? 's' : ''} ${extra.map((m) => `'${m}'`).join(', ')}`;
    }
    case 'const':
    case 'anyOf': {
      const allowed = list
        .filter((e) => e.keyword === 'const' && e.instancePath === first.instancePath)
        .map((e) => JSON.stringify(e.params.allowedValue));
      return allowed.length > 0 ? `${where} must be one of ${allowed.join(', ')}` : `${where} is invalid`;
    }
    case 'type':
      return `${where} must be ${article(String(first.params.type))}`;
    case 'pattern':
      if (first.params.pattern === NO_NUL_PATTERN) return `${where} must not contain NUL bytes`;
      if (first.params.pattern === SESSION_ID_PATTERN)
        return `${where} must be a session id: ${SESSION_ID_FORMAT}`;
      return `${where} must match ${String(first.params.pattern)}`;
    default:
      return `${where} ${first.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
