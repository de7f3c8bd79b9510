/**
 * The page's sandbox client and its one playground session, shared by the Run buttons and the terminal
 * panel: a container started from a block is there in the terminal's `docker ps`, and the other way round.
 */
import { PlaygroundSession } from './playground-session.ts';
import { SandboxClient } from './sandbox-client.ts';

/** '' = the page's own origin; a site built with PUBLIC_SANDBOX_URL calls that origin (CORS_ORIGINS there). */
export const sandboxBaseUrl: string = import.meta.env.PUBLIC_SANDBOX_URL ?? '';
export const client = new SandboxClient(sandboxBaseUrl);
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
