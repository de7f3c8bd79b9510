/**
 * One in-process playground server and one session in it for a whole test file: started before the
 * file's tests, closed (with every container) after them. `run` executes code in that session.
 */
import { afterAll, beforeAll } from 'vitest';
import type { RunResult } from '../../sandbox-server/src/runs/run-result.ts';
import { type PlaygroundServer, startPlaygroundServer } from '../../scripts/lib/playground-server.ts';

export interface PlaygroundSessionFixture {
  /** Valid once the file's `beforeAll` hooks have run. */
  readonly server: PlaygroundServer;
  /** The session's id, for requests the test makes itself. */
  readonly session: string;
  run(code: string): Promise<RunResult>;
}

export function usePlaygroundSession(): PlaygroundSessionFixture {
  let server: PlaygroundServer | undefined;
  let session = '';
  beforeAll(async () => {
    server = await startPlaygroundServer();
    session = await server.newSession();
  });
  afterAll(async () => {
    await server?.app.close();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the playground server starts in beforeAll');
      return server;
    },
    get session() {
      return session;
    },
    run(code) {
      return this.server.run(code, session);
    },
  };
}
