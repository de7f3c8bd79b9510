/**
 * Playground sessions: one booted playground per reader, addressed by an unguessable id. A session
 * ends when it has had no run for the idle timeout, when it reaches its maximum lifetime, when the
 * reader deletes it, or when its playground dies; ending it destroys the playground with everything
 * inside. Runs of one session execute one at a time, in the order they arrive. Live sessions are
 * limited per server and per client (429); the limits count sessions still being created, so a burst
 * of requests cannot overshoot them. The per-client limit is counted in SharedCounters, so it holds
 * across the nodes of a cluster; the per-server one is this node's capacity.
 * Ids name this node (cluster/session-id.ts): an id of another node is answered 421, not 404.
 */
import type { FastifyBaseLogger } from 'fastify';
import { newSessionId, SESSION_ID_FORMAT, sessionNode, shortSessionId } from '../cluster/session-id.ts';
import type { Lease, SharedCounters } from '../counters/counters.ts';
import {
  BadRequestError,
  BusyError,
  MisdirectedSessionError,
  NotFoundError,
  RunnerUnavailableError,
} from '../errors.ts';

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
  /** The session's place in its client's quota. */
  readonly quota: Lease;
  lastUsedMs: number;
  runsInFlight: number;
  /** Settles when the session's last queued run has finished. */
  tail: Promise<void>;
}

export interface SessionStoreOptions {
  /** This node's id: the first part of every session id it hands out. */
  nodeId: string;
  limits: SessionLimits;
  counters: SharedCounters;
  playgrounds: PlaygroundSource;
  log: FastifyBaseLogger;
  /** How often expired sessions are looked for. */
  sweepIntervalMs: number;
  now?: () => number;
}

/** Seconds a client is told to wait when a limit is reached. */
const RETRY_AFTER_S = 30;

export const SESSION_NOT_FOUND_MESSAGE =
  'session not found: it expired or was reset; start a new session (POST /api/sessions)';

const SESSION_ENDED_REASON = 'the playground session ended';

export class SessionStore {
  readonly #options: SessionStoreOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #endListeners: Array<(sessionId: string, reason: string) => void> = [];
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;
  #refusal: string | undefined;

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
    this.#refuseIfClosing();
    const quota = await this.#options.counters.acquire(`sessions:${client}`, perClient);
    if (quota === null) {
      throw new BusyError(
        `this client already has ${perClient} playground sessions; end one (DELETE /api/sessions/:id) first`,
        RETRY_AFTER_S,
      );
    }
    let playgroundId: string;
    try {
      // Checked after the quota's await, and counted at once: a burst cannot overshoot the node's limit.
      if (this.#sessions.size + this.#pending >= perServer) {
        throw new BusyError(
          `all ${perServer} playground sessions are in use; try again later`,
          RETRY_AFTER_S,
        );
      }
      signal.throwIfAborted();
      this.#pending++;
      try {
        playgroundId = await this.#options.playgrounds.acquire(signal);
      } finally {
        this.#pending--;
      }
    } catch (error) {
      await quota.release();
      throw error;
    }
    if (this.#refusal !== undefined) {
      await Promise.all([this.#options.playgrounds.release(playgroundId), quota.release()]);
      this.#refuseIfClosing();
    }
    const nowMs = this.#now();
    const session: Session = {
      id: newSessionId(this.#options.nodeId),
      playgroundId,
      client,
      quota,
      createdMs: nowMs,
      lastUsedMs: nowMs,
      runsInFlight: 0,
      tail: Promise.resolve(),
    };
    this.#sessions.set(session.id, session);
    return { id: session.id, expiresAtMs: this.expiresAtMs(session) };
  }

  /**
   * The live session with this id; NotFoundError (404) if it never existed, expired or was deleted,
   * MisdirectedSessionError (421) if it names another node.
   */
  get(id: string): Session {
    this.assertLocal(id);
    const session = this.#sessions.get(id);
    if (session === undefined || this.#isExpired(session, this.#now()))
      throw new NotFoundError(SESSION_NOT_FOUND_MESSAGE);
    return session;
  }

  /** Throws unless `id` is a well-formed id of this node (whether or not the session still lives). */
  assertLocal(id: string): void {
    const node = sessionNode(id);
    if (node === null) throw new BadRequestError(`a session id looks like ${SESSION_ID_FORMAT}`);
    if (node !== this.#options.nodeId) {
      throw new MisdirectedSessionError(
        `session ${shortSessionId(id)} is held by node "${node}", and this is node "${this.#options.nodeId}": ` +
          `the load balancer must send /api/sessions/${node}.… to that node. If that node is gone, so is the ` +
          'session: start a new one (POST /api/sessions)',
      );
    }
  }

  /**
   * From now on, new sessions are refused with this message (503): the node is draining. The
   * sessions already live go on until closeAll().
   */
  refuseNew(message: string): void {
    this.#refusal = message;
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

  /**
   * Calls `listener` with a session's id when it ends (deleted, expired, its playground gone, shutdown),
   * and why, in words for the reader.
   */
  onEnd(listener: (sessionId: string, reason: string) => void): void {
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
  async destroy(id: string, reason = SESSION_ENDED_REASON): Promise<boolean> {
    const session = this.#sessions.get(id);
    if (session === undefined) return false;
    this.#sessions.delete(id);
    for (const listener of this.#endListeners) listener(id, reason);
    await Promise.all([this.#options.playgrounds.release(session.playgroundId), session.quota.release()]);
    return true;
  }

  /** Ends every session past its idle timeout (and not running) or its maximum lifetime. */
  async sweep(): Promise<void> {
    const nowMs = this.#now();
    const expired = [...this.#sessions.values()].filter((session) => this.#isExpired(session, nowMs));
    for (const session of expired) {
      this.#options.log.info({ session: shortSessionId(session.id) }, 'playground session expired');
    }
    await Promise.all(expired.map((session) => this.destroy(session.id)));
  }

  /** Refuses new sessions and ends every live one, telling their terminals `reason`. */
  async close(reason = SESSION_ENDED_REASON): Promise<void> {
    this.#refusal ??= 'server is shutting down';
    clearInterval(this.#timer);
    await Promise.all([...this.#sessions.keys()].map((id) => this.destroy(id, reason)));
  }

  #isExpired(session: Session, nowMs: number): boolean {
    const { idleTimeoutMs, maxLifetimeMs } = this.#options.limits;
    if (nowMs - session.createdMs >= maxLifetimeMs) return true;
    return session.runsInFlight === 0 && nowMs - session.lastUsedMs >= idleTimeoutMs;
  }

  /** A draining or closing node answers 503: a load balancer may retry it on another node. */
  #refuseIfClosing(): void {
    if (this.#refusal !== undefined) throw new RunnerUnavailableError(this.#refusal);
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}
