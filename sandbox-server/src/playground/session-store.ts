/**
 * Playground sessions: one booted playground per reader, addressed by an unguessable id. A session
 * ends when it has had no run for the idle timeout, when it reaches its maximum lifetime, when the
 * reader deletes it, or when its playground dies; ending it destroys the playground with everything
 * inside. Runs of one session execute one at a time, in the order they arrive. Live sessions are
 * limited per server and per client (429); the limits count sessions still being created, so a burst
 * of requests cannot overshoot them.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { BusyError, NotFoundError } from '../errors.ts';

export interface SessionLimits {
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  perServer: number;
  perClient: number;
}

/** Where sessions get their playgrounds: a running playground for the caller alone, destroyed on release. */
export interface PlaygroundSource {
  acquire(signal: AbortSignal): Promise<string>;
  release(id: string): Promise<void>;
}

export interface Session {
  readonly id: string;
  readonly playgroundId: string;
  readonly client: string;
  readonly createdMs: number;
  lastUsedMs: number;
  runsInFlight: number;
  /** Settles when the session's last queued run has finished. */
  tail: Promise<void>;
}

export interface SessionStoreOptions {
  limits: SessionLimits;
  playgrounds: PlaygroundSource;
  log: FastifyBaseLogger;
  /** How often expired sessions are looked for. */
  sweepIntervalMs: number;
  now?: () => number;
}

/** Seconds a client is told to wait when a limit is reached. */
const RETRY_AFTER_S = 30;
/** 144 random bits, URL-safe. */
const SESSION_ID_BYTES = 18;

export const SESSION_NOT_FOUND_MESSAGE =
  'session not found: it expired or was reset; start a new session (POST /api/sessions)';

export class SessionStore {
  readonly #options: SessionStoreOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #pendingByClient = new Map<string, number>();
  readonly #endListeners: Array<(sessionId: string) => void> = [];
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: SessionStoreOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), this.#options.sweepIntervalMs);
    this.#timer.unref();
  }

  async create(client: string, signal: AbortSignal): Promise<{ id: string; expiresAtMs: number }> {
    const { perServer, perClient } = this.#options.limits;
    if (this.#closed) throw new BusyError('server is shutting down', RETRY_AFTER_S);
    if (this.#sessions.size + this.#pending >= perServer) {
      throw new BusyError(`all ${perServer} playground sessions are in use; try again later`, RETRY_AFTER_S);
    }
    if (this.#countFor(client) >= perClient) {
      throw new BusyError(
        `this client already has ${perClient} playground sessions; end one (DELETE /api/sessions/:id) first`,
        RETRY_AFTER_S,
      );
    }
    this.#pending++;
    this.#pendingByClient.set(client, (this.#pendingByClient.get(client) ?? 0) + 1);
    let playgroundId: string;
    try {
      playgroundId = await this.#options.playgrounds.acquire(signal);
    } finally {
      this.#pending--;
      const left = (this.#pendingByClient.get(client) ?? 1) - 1;
      if (left === 0) this.#pendingByClient.delete(client);
      else this.#pendingByClient.set(client, left);
    }
    if (this.#closed) {
      await this.#options.playgrounds.release(playgroundId);
      throw new BusyError('server is shutting down', RETRY_AFTER_S);
    }
    const nowMs = this.#now();
    const session: Session = {
      id: randomBytes(SESSION_ID_BYTES).toString('base64url'),
      playgroundId,
      client,
      createdMs: nowMs,
      lastUsedMs: nowMs,
      runsInFlight: 0,
      tail: Promise.resolve(),
    };
    this.#sessions.set(session.id, session);
    return { id: session.id, expiresAtMs: this.expiresAtMs(session) };
  }

  /** The live session with this id; NotFoundError (404) if it never existed, expired or was deleted. */
  get(id: string): Session {
    const session = this.#sessions.get(id);
    if (session === undefined || this.#isExpired(session, this.#now()))
      throw new NotFoundError(SESSION_NOT_FOUND_MESSAGE);
    return session;
  }

  /** When the session ends if nothing more happens. */
  expiresAtMs(session: Session): number {
    const { idleTimeoutMs, maxLifetimeMs } = this.#options.limits;
    return Math.min(session.lastUsedMs + idleTimeoutMs, session.createdMs + maxLifetimeMs);
  }

  /** Counts as use, like a run: the session's idle timeout starts again. */
  touch(session: Session): void {
    session.lastUsedMs = this.#now();
  }

  /** Calls `listener` with a session's id when it ends (deleted, expired, its playground gone, shutdown). */
  onEnd(listener: (sessionId: string) => void): void {
    this.#endListeners.push(listener);
  }

  /** Runs `work` after the session's earlier runs; the session does not idle out meanwhile. */
  runExclusive<T>(session: Session, work: () => Promise<T>): Promise<T> {
    session.runsInFlight++;
    session.lastUsedMs = this.#now();
    const result = session.tail.then(() => {
      // A session ended while this run waited: its playground is gone.
      if (!this.#sessions.has(session.id)) throw new NotFoundError(SESSION_NOT_FOUND_MESSAGE);
      return work();
    });
    session.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      session.runsInFlight--;
      session.lastUsedMs = this.#now();
    });
  }

  /** Ends a session and destroys its playground; false if there was no such session. */
  async destroy(id: string): Promise<boolean> {
    const session = this.#sessions.get(id);
    if (session === undefined) return false;
    this.#sessions.delete(id);
    for (const listener of this.#endListeners) listener(id);
    await this.#options.playgrounds.release(session.playgroundId);
    return true;
  }

  /** Ends every session past its idle timeout (and not running) or its maximum lifetime. */
  async sweep(): Promise<void> {
    const nowMs = this.#now();
    const expired = [...this.#sessions.values()].filter((session) => this.#isExpired(session, nowMs));
    for (const session of expired) {
      this.#options.log.info({ session: session.id.slice(0, 6) }, 'playground session expired');
    }
    await Promise.all(expired.map((session) => this.destroy(session.id)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#sessions.keys()].map((id) => this.destroy(id)));
  }

  #isExpired(session: Session, nowMs: number): boolean {
    const { idleTimeoutMs, maxLifetimeMs } = this.#options.limits;
    if (nowMs - session.createdMs >= maxLifetimeMs) return true;
    return session.runsInFlight === 0 && nowMs - session.lastUsedMs >= idleTimeoutMs;
  }

  #countFor(client: string): number {
    let count = this.#pendingByClient.get(client) ?? 0;
    for (const session of this.#sessions.values()) if (session.client === client) count++;
    return count;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}
