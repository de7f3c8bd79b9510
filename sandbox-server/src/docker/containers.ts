/**
 * Creates and destroys the server's containers and remembers which ones are
 * its own. Every container gets the instance labels and a name chosen before
 * creation; the name is tracked *before* the create call, so the reaper never
 * mistakes a container being created for a stray one. A removal that fails
 * leaves the container tracked and due for another attempt after a back-off
 * that doubles each time (retryDueRemovals, called by the reaper).
 */
import { randomBytes } from 'node:crypto';
import { containerCreateSeconds, timed } from '../observability/metrics.ts';
import type { ContainerCreateOptions, Engine } from './engine.ts';
import { type InstanceIdentity, instanceLabels } from './labels.ts';

/** Back-off of removal retries: 1 s, 2 s, 4 s… up to a minute. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export class Containers {
  readonly #engine: Engine;
  readonly #instance: InstanceIdentity;
  /** Names of containers this server created (or is creating) and has not removed. */
  readonly #tracked = new Set<string>();
  readonly #idsByName = new Map<string, string>();
  readonly #destroying = new Map<string, Promise<void>>();
  /** Containers whose removal failed: when to try again, and how many attempts failed so far. */
  readonly #retries = new Map<string, { failures: number; dueMs: number }>();
  readonly #now: () => number;

  constructor(engine: Engine, instance: InstanceIdentity, now: () => number = Date.now) {
    this.#engine = engine;
    this.#instance = instance;
    this.#now = now;
  }

  /** Containers whose removal failed and has not succeeded since. */
  get failedRemovals(): number {
    return this.#retries.size;
  }

  get instance(): InstanceIdentity {
    return this.#instance;
  }

  get count(): number {
    return this.#tracked.size;
  }

  isTracked(name: string): boolean {
    return this.#tracked.has(name);
  }

  /** Creates a labelled, tracked container named `dockyard-<role>-<random>`; returns its id. */
  async create(role: string, options: ContainerCreateOptions): Promise<string> {
    const name = `dockyard-${role}-${randomBytes(6).toString('hex')}`;
    this.#tracked.add(name);
    try {
      const id = await timed(
        (seconds) => containerCreateSeconds.observe({ role }, seconds),
        () =>
          this.#engine.createContainer({
            ...options,
            name,
            Labels: { ...options.Labels, ...instanceLabels(this.#instance, role) },
          }),
      );
      this.#idsByName.set(name, id);
      return id;
    } catch (error) {
      // A create that failed on our side may still have happened on the engine's.
      await this.#engine.removeContainer(name).catch(() => {});
      this.#tracked.delete(name);
      throw error;
    }
  }

  /** Kills and removes; stays tracked and is retried with back-off if the engine fails. Never throws. */
  destroy(id: string): Promise<void> {
    // Concurrent destroys of one container share one removal, so every caller sees it finished.
    let removal = this.#destroying.get(id);
    if (removal === undefined) {
      removal = this.#remove(id).finally(() => this.#destroying.delete(id));
      this.#destroying.set(id, removal);
    }
    return removal;
  }

  async #remove(id: string): Promise<void> {
    try {
      await this.#engine.removeContainer(id);
      this.#retries.delete(id);
      for (const [name, trackedId] of this.#idsByName) {
        if (trackedId !== id) continue;
        this.#idsByName.delete(name);
        this.#tracked.delete(name);
      }
    } catch {
      // Left tracked and labelled, so no reaper takes it for a stray; retried once the back-off has passed.
      const failures = (this.#retries.get(id)?.failures ?? 0) + 1;
      const backoffMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1));
      this.#retries.set(id, { failures, dueMs: this.#now() + backoffMs });
    }
  }

  /** Tries again every failed removal whose back-off has passed; returns how many were attempted. */
  async retryDueRemovals(): Promise<number> {
    const nowMs = this.#now();
    const due = [...this.#retries].filter(([, retry]) => retry.dueMs <= nowMs).map(([id]) => id);
    await Promise.all(due.map((id) => this.destroy(id)));
    return due.length;
  }

  /** Forgets a container someone else (the reaper) has removed. */
  forget(name: string): void {
    this.#tracked.delete(name);
    const id = this.#idsByName.get(name);
    if (id !== undefined) this.#retries.delete(id);
    this.#idsByName.delete(name);
  }

  async destroyAll(): Promise<void> {
    await Promise.all([...this.#idsByName.values()].map((id) => this.destroy(id)));
  }
}
