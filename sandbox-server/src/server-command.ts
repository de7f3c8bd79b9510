/**
 * How the server process is started: `node --max-semi-space-size=8 sandbox-server/src/server.ts`. Every
 * launcher takes the command from here (npm start, the e2e web server, tests, benchmarks, the cluster
 * harness); the Dockerfile's CMD and package.json's `serve`, which cannot import it, are checked against
 * it by tests/unit/server/server-command.test.ts.
 *
 * Why the flag: a terminal streaming a `yes` flood passes ~13 MiB/s through the server. Every chunk read
 * from the engine is a new Buffer whose memory lives outside V8's heap until a scavenge finds the Buffer
 * dead, and with Node 24's default young generation (semi-spaces of up to 32 MiB) scavenges are rare, so
 * tens of MiB of dead chunks pile up and the allocator keeps the pages. `npm run bench:terminal`, same
 * machine, same hour: server RSS growth during the 10 s flood +35 to +53 MiB by default, +22.7 MiB at 16,
 * +4.2 MiB at 8, +5.2 at 4, +3.8 at 1; delivered throughput and keystroke latency unchanged at 8. The
 * idle server is also ~15 MiB smaller. V8 reads the limit only when the heap is set up, so it must be a
 * command-line flag: `v8.setFlagsFromString` at start-up was measured to have no effect.
 */
import { join } from 'node:path';

/** The entry point, relative to the repository root. */
export const SERVER_ENTRY = 'sandbox-server/src/server.ts';

/** Node options the server runs with (see above). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** Arguments for `spawn(process.execPath, …)`; the entry is absolute when `repoRoot` is given. */
export function serverNodeArguments(repoRoot?: string): string[] {
  return [...SERVER_NODE_FLAGS, repoRoot === undefined ? SERVER_ENTRY : join(repoRoot, SERVER_ENTRY)];
}

/** The same as one shell command line (the flags need no quoting). */
export function serverCommandLine(): string {
  return ['node', ...serverNodeArguments()].join(' ');
}
