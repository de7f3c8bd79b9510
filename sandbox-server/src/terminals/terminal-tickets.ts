/**
 * Terminal tickets, for AUTH_MODE=token: a browser cannot set an Authorization header on a WebSocket,
 * so the page first asks for a ticket with its bearer token (POST /api/sessions/:id/terminal-ticket)
 * and puts the ticket in the WebSocket's URL. A ticket opens one terminal of one session, once, within
 * TERMINAL_TICKET_TTL_MS; it stands for the token's holder, whose quotas the terminal counts against.
 * A URL can end up in logs: a ticket there is spent or expired, unlike the token itself.
 */
import { randomBytes } from 'node:crypto';

/** Long enough for a page on a slow connection to open the WebSocket, short enough to be useless later. */
export const TERMINAL_TICKET_TTL_MS = 30_000;
/** 144 random bits, URL-safe, like session ids. */
const TICKET_BYTES = 18;

interface Ticket {
  sessionId: string;
  identity: string | null;
  expiresAtMs: number;
}

export class TerminalTickets {
  readonly #tickets = new Map<string, Ticket>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  issue(sessionId: string, identity: string | null): { ticket: string; expiresAtMs: number } {
    this.#forgetExpired();
    const ticket = randomBytes(TICKET_BYTES).toString('base64url');
    const expiresAtMs = this.#now() + TERMINAL_TICKET_TTL_MS;
    this.#tickets.set(ticket, { sessionId, identity, expiresAtMs });
    return { ticket, expiresAtMs };
  }

  /**
   * The identity a ticket stands for, if it was issued for this session and has not expired; it is
   * spent either way, so a ticket tried against the wrong session cannot be tried again.
   */
  redeem(ticket: string, sessionId: string): { identity: string | null } | null {
    const found = this.#tickets.get(ticket);
    this.#tickets.delete(ticket);
    if (found === undefined || found.sessionId !== sessionId || found.expiresAtMs <= this.#now()) return null;
    return { identity: found.identity };
  }

  #forgetExpired(): void {
    const now = this.#now();
    for (const [ticket, { expiresAtMs }] of this.#tickets) {
      if (expiresAtMs <= now) this.#tickets.delete(ticket);
    }
  }
}
