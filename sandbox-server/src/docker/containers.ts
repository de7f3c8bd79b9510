/**
 * Creates and destroys the server's containers and remembers which ones are
 * its own. Every container gets the instance labels and a name chosen before
 * creation; the name is tracked *before* the create call, so the reaper never
 * mistakes a container being created for a stray one.
 */
import { randomBytes } from 'node:crypto';
import { containerCreateSeconds, timed } from '../observability/metrics.ts';
import type { ContainerCreateOptions, Engine } from './engine.ts';
import { type InstanceIdentity, instanceLabels } from './labels.ts';

export class Containers {
  readonly #engine: Engine;
  readonly #instance: InstanceIdentity;
  /** Names of containers this server created (or is creating) and has not removed. */
  readonly #tracked = new Set<string>();
  readonly #idsByName = new Map<string, string>();
  readonly #destroying = new Map<string, Promise<void>>();

  constructor(engine: Engine, instance: InstanceIdentity) {
    this.#engine = engine;
    this.#instance = instance;
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

  /** Kills and removes; stays tracked (so the reaper retries) if the engine fails. Never throws. */
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
      for (const [name, trackedId] of this.#idsByName) {
        if (trackedId !== id) continue;
        this.#idsByName.delete(name);
        this.#tracked.delete(name);
      }
    } catch {
      // Left tracked and labelled: destroyAll or the reaper of the next start removes it.
    }
  }

  /** Forgets a container someone else (the reaper) has removed. */
  forget(name: string): void {
    this.#tracked.delete(name);
    this.#idsByName.delete(name);
  }

  async destroyAll(): Promise<void> {
    await Promise.all([...this.#idsByName.values()].map((id) => this.destroy(id)));
  }
}
