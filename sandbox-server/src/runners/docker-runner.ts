/**
 * The `docker` runner: runs a snippet as root in a reader's playground (a Docker host of its own).
 * With a session, runs go to that session's playground one at a time, in order; without one, a
 * throw-away session (counted against the session limits) is made for this run alone and ended after it. The code goes
 * through the playground's run channel (playground/run-channel.ts, no `docker exec` per run) and runs
 * as `bash -c` in a process cgroup of its own (playground-run), so a run that hits a limit is ended by
 * killing every process in it (playground-stop) — the playground and the reader's containers in it
 * stay; so is whatever a run leaves running when its shell exits. Wall time, output cap and client
 * abort are enforced by superviseRun, as for the shell runner.
 */
import { randomBytes } from 'node:crypto';
import type { Config, PlaygroundPullConfig } from '../config.ts';
import type { Engine } from '../docker/engine.ts';
import { catalogNames } from '../playground/catalog.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC } from '../playground/playground-container.ts';
import type { PlaygroundPool } from '../playground/playground-pool.ts';
import { RunChannelClosedError } from '../playground/run-channel.ts';
import type { SessionStore } from '../playground/session-store.ts';
import type { RunSlot } from '../runs/run-queue.ts';
import type { RunResult } from '../runs/run-result.ts';
import { superviseRun } from '../runs/supervise-run.ts';
import type { OutputSink, PoolHealth, RunInput, Runner } from './runner.ts';

/** Shells report death by signal N as 128 + N. */
const EXIT_BY_SIGNAL = 128;

export interface DockerRunnerOptions {
  config: Config;
  engine: Engine;
  pool: PlaygroundPool;
  sessions: SessionStore;
}

/**
 * The daemon's own errors when a pull needs a registry it cannot reach: offline it cannot resolve or dial
 * the registry; with pulls allowed, the playground's proxy (tinyproxy) refuses other hosts with
 * "Access violation".
 */
const UNREACHABLE_REGISTRY_ERROR = /dial tcp: lookup|no such host|network is unreachable|Access violation/;
const CATALOG = `${catalogNames()} (see \`docker images\`), and those you build yourself`;

/** Appended to the daemon's error when a pull could not reach a registry. */
export function pullHint(pull: PlaygroundPullConfig | null): string {
  if (pull === null) {
    return `\nhint: this playground is offline and has no registry. Images you can use: ${CATALOG}.\n`;
  }
  const source = pull.registryMirror ?? 'Docker Hub';
  return (
    `\nhint: this playground pulls only from ${source}; other registries cannot be reached. ` +
    `Images it has already: ${CATALOG}.\n`
  );
}

export class DockerRunner implements Runner {
  readonly #options: DockerRunnerOptions;

  constructor(options: DockerRunnerOptions) {
    this.#options = options;
  }

  health(): PoolHealth {
    // Sessions hold their playgrounds as taken from the pool: `inUse` counts them.
    return this.#options.pool.health();
  }

  async run(input: RunInput, sink: OutputSink, signal: AbortSignal, slot: RunSlot): Promise<RunResult> {
    const { sessions } = this.#options;
    if (input.session !== undefined) return this.#runInSession(input.session, input.code, sink, signal, slot);
    // Without a session the run gets a playground of its own for this run alone: it is a session
    // for that long, so it counts against the session limits like any other.
    const { id } = await sessions.create(input.client, signal);
    try {
      return await this.#runInSession(id, input.code, sink, signal, slot);
    } finally {
      void sessions.destroy(id);
    }
  }

  #runInSession(
    id: string,
    code: string,
    sink: OutputSink,
    signal: AbortSignal,
    slot: RunSlot,
  ): Promise<RunResult> {
    const { sessions } = this.#options;
    const session = sessions.get(id);
    // The slot is taken once the session's earlier runs are done, not while waiting for them.
    return sessions.runExclusive(session, () =>
      slot(async () => {
        const result = await this.#runIn(session.playgroundId, code, sink, signal);
        // A shell that exited by itself had a live playground around it; otherwise the playground may have
        // died (e.g. killed for memory), and then it cannot serve the session any longer.
        if (result.exitCode !== null && result.exitCode < EXIT_BY_SIGNAL) return result;
        const state = await this.#options.engine.inspectContainer(session.playgroundId).catch(() => null);
        if (state !== null && !state.running) void sessions.destroy(session.id);
        return { ...result, oomKilled: result.oomKilled || (state?.oomKilled ?? false) };
      }),
    );
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
    const { engine, config, pool } = this.#options;
    const runId = randomBytes(8).toString('hex');
    // OOM events of the playground's memory cgroup, as the engine reports them (its limit covers everything inside).
    const oomEventsBefore = await engine.oomEventCount(playgroundId);
    const stopRun = async () => {
      await engine.exec(playgroundId, {
        cmd: [PLAYGROUND_EXEC, 'playground-stop', runId],
        env: [...PLAYGROUND_ENV],
        onOutput: () => {},
      });
    };
    const run = await superviseRun({
      timeoutMs: config.playgroundRunTimeoutMs,
      outputLimitBytes: config.runOutputLimitBytes,
      sink,
      signal,
      execute: async (onOutput, runSignal) => {
        try {
          return await (await pool.channel(playgroundId)).run(runId, code, onOutput, runSignal);
        } catch (error) {
          // The channel was abandoned while a stopped run did not report: once more, on a new one.
          if (!(error instanceof RunChannelClosedError)) throw error;
          return await (await pool.channel(playgroundId)).run(runId, code, onOutput, runSignal);
        }
      },
      stop: stopRun,
    });
    const oomEventsAfter = await engine.oomEventCount(playgroundId, { settle: true });
    const oomKilled = oomEventsBefore !== null && oomEventsAfter !== null && oomEventsAfter > oomEventsBefore;
    if (!run.truncated && run.exitCode !== 0 && UNREACHABLE_REGISTRY_ERROR.test(run.stderr)) {
      const hint = pullHint(config.playgroundPull);
      sink('stderr', hint);
      return { ...run, stderr: run.stderr + hint, oomKilled };
    }
    return { ...run, oomKilled };
  }
}
