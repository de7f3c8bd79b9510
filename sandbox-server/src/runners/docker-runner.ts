/**
 * The `docker` runner: runs a snippet as root in a reader's playground (a Docker host of its own).
 * With a session, runs go to that session's playground one at a time, in order; without one, a
 * playground is taken from the warm pool for this run alone and destroyed after it. The code runs as
 * `bash -c` in a process group of its own (playground-run), so a run that hits a limit is ended by
 * killing that group — the playground and the reader's containers in it stay. Wall time, output cap
 * and client abort are enforced by superviseRun, as for the shell runner.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../docker/engine.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC } from '../playground/playground-container.ts';
import type { PlaygroundPool } from '../playground/playground-pool.ts';
import type { SessionStore } from '../playground/session-store.ts';
import type { RunResult } from '../runs/run-result.ts';
import { superviseRun } from '../runs/supervise-run.ts';
import type { OutputSink, PoolHealth, RunInput, Runner } from './runner.ts';

export interface DockerRunnerOptions {
  engine: Engine;
  pool: PlaygroundPool;
  sessions: SessionStore;
  runTimeoutMs: number;
  runOutputLimitBytes: number;
}

/** The daemon's own error when a pull needs a registry it cannot reach (playgrounds have no network). */
const OFFLINE_PULL_ERROR = /registry-1\.docker\.io|pull access denied|dial tcp: lookup|no such host/;
export const OFFLINE_PULL_HINT =
  '\nhint: this playground is offline and has no registry. Images you can use: hello-world, busybox, ' +
  'debian:bookworm, debian:bookworm-slim, nginx, redis, mariadb, tomcat (see `docker images`), ' +
  'and those you build yourself.\n';

export class DockerRunner implements Runner {
  readonly #options: DockerRunnerOptions;

  constructor(options: DockerRunnerOptions) {
    this.#options = options;
  }

  health(): PoolHealth {
    // Sessions hold their playgrounds as taken from the pool: `inUse` counts them.
    return this.#options.pool.health();
  }

  async run(input: RunInput, sink: OutputSink, signal: AbortSignal): Promise<RunResult> {
    const { sessions, pool } = this.#options;
    if (input.session !== undefined) {
      const session = sessions.get(input.session);
      return sessions.runExclusive(session, async () => {
        const result = await this.#runIn(session.playgroundId, input.code, sink, signal);
        // A playground that died (e.g. killed for memory) cannot serve the session any longer.
        const state = await this.#options.engine.inspectContainer(session.playgroundId).catch(() => null);
        if (state !== null && !state.running) void sessions.destroy(session.id);
        return { ...result, oomKilled: result.oomKilled || (state?.oomKilled ?? false) };
      });
    }
    const playgroundId = await pool.acquire(signal);
    try {
      return await this.#runIn(playgroundId, input.code, sink, signal);
    } finally {
      void pool.release(playgroundId);
    }
  }

  async close(): Promise<void> {
    await this.#options.sessions.close();
    await this.#options.pool.close();
  }

  async #runIn(
    playgroundId: string,
    code: string,
    sink: OutputSink,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const { engine } = this.#options;
    const runId = randomBytes(8).toString('hex');
    const stopRun = async () => {
      await engine.exec(playgroundId, {
        cmd: [PLAYGROUND_EXEC, 'playground-stop', runId],
        env: [...PLAYGROUND_ENV],
        onOutput: () => {},
      });
    };
    const run = await superviseRun({
      timeoutMs: this.#options.runTimeoutMs,
      outputLimitBytes: this.#options.runOutputLimitBytes,
      sink,
      signal,
      execute: (onOutput, execSignal) =>
        engine.exec(playgroundId, {
          cmd: [PLAYGROUND_EXEC, 'playground-run', runId, code],
          env: [...PLAYGROUND_ENV],
          onOutput,
          // Background jobs keep the output open; the run ends with its shell, and so do they.
          onExit: () => void stopRun().catch(() => {}),
          signal: execSignal,
        }),
      stop: stopRun,
    });
    if (!run.truncated && OFFLINE_PULL_ERROR.test(run.stderr)) {
      sink('stderr', OFFLINE_PULL_HINT);
      return { ...run, stderr: run.stderr + OFFLINE_PULL_HINT, oomKilled: false };
    }
    return { ...run, oomKilled: false };
  }
}
