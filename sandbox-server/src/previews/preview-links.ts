/**
 * Preview links: a random token per (session, published port), the only thing a preview URL carries.
 * It is not the session id (a preview page must not learn what drives the playground) and cannot be
 * guessed (128 random bits); it resolves only while its session lives, and is forgotten when the
 * session ends. Tokens are lower-case hex because they are a host name's first label.
 */
import { randomBytes } from 'node:crypto';
import type { SessionStore } from '../playground/session-store.ts';

export interface PreviewTarget {
  sessionId: string;
  playgroundId: string;
  port: number;
  /** Where the port listens inside the playground (playground's own network namespace). */
  address: string;
}

const TOKEN_BYTES = 16;
/** A token's length in hex characters. */
export const PREVIEW_TOKEN_CHARS = TOKEN_BYTES * 2;

export class PreviewLinks {
  readonly #sessions: SessionStore;
  readonly #targets = new Map<string, PreviewTarget>();
  readonly #tokens = new Map<string, string>();

  constructor(sessions: SessionStore) {
    this.#sessions = sessions;
    sessions.onEnd((sessionId) => {
      for (const [token, target] of this.#targets) {
        if (target.sessionId !== sessionId) continue;
        this.#targets.delete(token);
        this.#tokens.delete(key(target));
      }
    });
  }

  /** The token of this session's port: the same one each time the ports are listed. */
  tokenFor(target: PreviewTarget): string {
    const existing = this.#tokens.get(key(target));
    if (existing !== undefined) {
      this.#targets.set(existing, target);
      return existing;
    }
    const token = randomBytes(TOKEN_BYTES).toString('hex');
    this.#targets.set(token, target);
    this.#tokens.set(key(target), token);
    return token;
  }

  /** What a token opens, if its session is still live. */
  resolve(token: string): PreviewTarget | undefined {
    const target = this.#targets.get(token);
    if (target === undefined) return undefined;
    try {
      this.#sessions.get(target.sessionId);
    } catch {
      return undefined;
    }
    return target;
  }
}

function key(target: PreviewTarget): string {
  return `${target.sessionId}:${target.port}`;
}
