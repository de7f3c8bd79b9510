/**
 * Errors that carry their HTTP answer. Runners, pools and the engine throw
 * them; the app's error handler turns them into the contract's JSON errors
 * (sandbox-server/README.md, "The API contract"), so no route has to translate them itself.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  /** Seconds; sent as Retry-After. */
  readonly retryAfterS: number | undefined;

  constructor(statusCode: number, message: string, options?: { cause?: unknown; retryAfterS?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = statusCode;
    this.retryAfterS = options?.retryAfterS;
  }
}

/** The Docker engine cannot be reached (or stopped answering): 503. */
export class EngineUnavailableError extends HttpError {
  override name = 'EngineUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, message, options);
  }
}

/** A runner (or the pool behind it) cannot serve runs right now: 503. */
export class RunnerUnavailableError extends HttpError {
  override name = 'RunnerUnavailableError';
  constructor(message: string) {
    super(503, message);
  }
}

/** Too much work queued already: 429 with Retry-After. */
export class BusyError extends HttpError {
  override name = 'BusyError';
  constructor(message: string, retryAfterS: number) {
    super(429, message, { retryAfterS });
  }
}

/** A named thing (e.g. a session) does not exist: 404. */
export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(404, message);
  }
}

/** The request comes from a page that may not make it (e.g. a foreign Origin): 403. */
export class ForbiddenError extends HttpError {
  override name = 'ForbiddenError';
  constructor(message: string) {
    super(403, message);
  }
}

/** A request the server cannot take as it is (a value out of range): 400. */
export class BadRequestError extends HttpError {
  override name = 'BadRequestError';
  constructor(message: string) {
    super(400, message);
  }
}

/**
 * A session id naming another node reached this one: 421 Misdirected Request. The load balancer routes
 * `/api/sessions/<node>.…` to that node; a request lands elsewhere when that node is gone (the reader
 * starts a new session) or when the routing rule is missing.
 */
export class MisdirectedSessionError extends HttpError {
  override name = 'MisdirectedSessionError';
  constructor(message: string) {
    super(421, message);
  }
}

/** The store the nodes share (REDIS_URL) does not answer, so per-client limits cannot be counted: 503. */
export class SharedStateUnavailableError extends HttpError {
  override name = 'SharedStateUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, message, options);
  }
}

/** Something inside a playground did not answer as it should (its engine, a preview's server): 502. */
export class BadGatewayError extends HttpError {
  override name = 'BadGatewayError';
  constructor(message: string) {
    super(502, message);
  }
}
