/**
 * Removes labelled containers nobody is responsible for: this server's own
 * containers it no longer tracks (a removal that failed, a create whose
 * answer was lost), and containers of servers on this host whose process is
 * gone (killed without cleaning up). Containers of another live server
 * sharing the engine are left alone. Runs at start-up and every interval.
 * In between, it retries the server's own removals that failed, each after
 * its back-off (docker/containers.ts): that costs no Docker call while there
 * are none.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Containers } from './containers.ts';
import type { Engine } from './engine.ts';
import { LABEL_HOST, LABEL_INSTANCE, LABEL_PID, MANAGED_FILTER } from './labels.ts';

export interface ReaperOptions {
  engine: Engine;
  containers: Containers;
  intervalMs: number;
  log: FastifyBaseLogger;
}

/** How often failed removals are checked for being due again. */
const RETRY_CHECK_MS = 1_000;

export class Reaper {
  readonly #options: ReaperOptions;
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(options: ReaperOptions) {
    this.#options = options;
  }

  /** Reaps now, then every interval. Failures are logged, never thrown. */
  start(): void {
    void this.reapOnce().catch(() => {});
    this.#timer = setInterval(() => void this.reapOnce().catch(() => {}), this.#options.intervalMs);
    this.#timer.unref();
    this.#retryTimer = setInterval(() => void this.#options.containers.retryDueRemovals(), RETRY_CHECK_MS);
    this.#retryTimer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#retryTimer);
  }

  /** Returns how many containers were removed. Concurrent calls share one pass. */
  reapOnce(): Promise<number> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    const { engine, containers, log } = this.#options;
    try {
      const strays = (await engine.listContainers([MANAGED_FILTER])).filter((c) =>
        this.#isStray(c.labels, c.name),
      );
      await Promise.all(
        strays.map(async (c) => {
          await engine.removeContainer(c.id);
          containers.forget(c.name);
        }),
      );
      if (strays.length > 0) log.info({ removed: strays.map((c) => c.name) }, 'reaped stray containers');
      return strays.length;
    } catch (error) {
      log.warn({ err: error }, 'reaping stray containers failed');
      throw error;
    }
  }

  #isStray(labels: Record<string, string>, name: string): boolean {
    const { containers } = this.#options;
    const self = containers.instance;
    const pid = Number(labels[LABEL_PID]);
    if (labels[LABEL_INSTANCE] === self.id) {
      if (containers.isTracked(name)) return false;
      // Ours, or a predecessor's with our persisted id: restarted in place (same pid, e.g. 1 in a
      // container), on another host name (a new container), or a process of this host that is gone.
      // A live other process with our id (two servers sharing the id file by mistake) is left alone.
      if (labels[LABEL_HOST] !== self.host || pid === self.pid) return true;
      return !isProcessAlive(pid);
    }
    if (labels[LABEL_HOST] !== self.host) return false;
    return !isProcessAlive(pid);
  }
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
