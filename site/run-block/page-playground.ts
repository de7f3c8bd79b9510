/**
 * The page's sandbox client and its one playground session, shared by the Run buttons, the terminal
 * panel and the exercises: a container started from a block is there in the terminal's `docker ps`,
 * and the other way round.
 */
import { PlaygroundSession } from './playground-session.ts';
import { SandboxClient } from './sandbox-client.ts';

/** '' = the page's own origin; a site built with PUBLIC_SANDBOX_URL calls that origin (CORS_ORIGINS there). */
export const sandboxBaseUrl: string = import.meta.env.PUBLIC_SANDBOX_URL ?? '';

/**
 * A team server with AUTH_MODE=token hands each reader a sign-in link ending in `#dockyard-token=<token>`:
 * the fragment never reaches a server or its logs; the page keeps the token in this browser and drops
 * the fragment from the address bar.
 */
const TOKEN_KEY = 'dockyard-token';
const TOKEN_FRAGMENT = /^#dockyard-token=([\x21-\x7e]+)$/;

function readerToken(): string | null {
  try {
    const fromLink = TOKEN_FRAGMENT.exec(location.hash)?.[1];
    if (fromLink !== undefined) {
      localStorage.setItem(TOKEN_KEY, fromLink);
      history.replaceState(null, '', location.pathname + location.search);
    }
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: runs go unauthenticated and the server says sign-in is needed
  }
}

export const client = new SandboxClient(sandboxBaseUrl, undefined, readerToken);
let playground: PlaygroundSession | undefined;

export function pagePlayground(): PlaygroundSession {
  if (!playground) {
    const session = new PlaygroundSession(client);
    addEventListener('pagehide', (event) => {
      if (!event.persisted) session.release();
    });
    playground = session;
  }
  return playground;
}
