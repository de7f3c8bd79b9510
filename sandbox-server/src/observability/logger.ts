/**
 * The server's pino options. On a terminal the lines are made readable by pino-pretty (one line
 * each, local time, no pid/hostname); otherwise they stay JSON, one object per line, for a log
 * collector. Requests are logged by method and path only, with long ids in the path (a session's)
 * cut short: the client's address and whole ids stay out of the logs. An HttpError (engine
 * unreachable, image missing…) is an expected condition whose message says what to do: it is
 * logged as that message, without a stack.
 */
import { type LoggerOptions, stdSerializers } from 'pino';
import { HttpError } from '../errors.ts';
import { SHORT_ID_LENGTH } from './run-observation.ts';

/** A path segment this long is an id (sessions' are 32+ characters), not a word. */
const LONG_ID_SEGMENT = new RegExp(`(?<=/)([A-Za-z0-9_-]{${SHORT_ID_LENGTH}})[A-Za-z0-9_-]{8,}`, 'g');

export function redactIds(url: string): string {
  return url.replace(LONG_ID_SEGMENT, '$1…');
}

export function loggerOptions(level: string, pretty: boolean = process.stdout.isTTY === true): LoggerOptions {
  return {
    level,
    serializers: {
      req: (request: { method: string; url: string }) => ({
        method: request.method,
        url: redactIds(request.url),
      }),
      err: (error: Error) => (error instanceof HttpError ? error.message : stdSerializers.err(error)),
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
          },
        }
      : {}),
  };
}
