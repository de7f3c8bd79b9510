/**
 * Counts the engine's `oom` events for Dockyard's containers, through the engine's API only: the
 * server may run in a container beside the engine, where the engine host's cgroup files are not
 * there to read. The engine relays the kernel's OOM notifications for a container's memory cgroup
 * as `oom` events while the container keeps running, which `inspect` does not show (its `OOMKilled`
 * is set only once the container stops). They are not one per kill: one process killed for memory
 * raised hundreds of them here (cgroup v1). So a count tells whether memory ran out, not how often.
 *
 * Those events travel apart from a container's output, and can reach the server after a run's
 * output has ended (seen here on a loaded machine). The engine relays a container's task events in
 * order, though: its exit (`die`) and the end of an exec (`exec_die`) come on this stream after
 * every OOM event before them. `afterExit` and `afterExec` wait for those; the count is then
 * complete.
 *
 * One long-lived `GET /events` stream, filtered to Dockyard's labels. It is opened before the first
 * container is created (`ready`), so no kill of ours can happen before it listens. When the stream
 * breaks (engine restart) it reconnects with `since` at the last moment it was known to be
 * listening, so the engine replays what was missed; while it is down, `count` answers null and
 * callers fall back to asking the stopped container.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { MANAGED_FILTER } from './labels.ts';

const RECONNECT_DELAY_MS = 1_000;
/** Kept for containers that were never forgotten (e.g. removed by the reaper); oldest go first. */
const MAX_TRACKED_CONTAINERS = 10_000;

interface EngineEvent {
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

export class OomWatch {
  readonly #docker: Docker;
  readonly #counts = new Map<string, number>();
  /** Containers whose exit the engine has reported (bounded like #counts). */
  readonly #exited = new Set<string>();
  /** Waiters for a container's exit, by container id. */
  readonly #exitWaiters = new Map<string, Set<() => void>>();
  /** Waiters for the end of an exec, by exec id. */
  readonly #execEnds = new Map<string, () => void>();
  #stream: Readable | undefined;
  #connecting: Promise<void> | undefined;
  /** When the stream was lost (Unix s): a reconnect asks the engine to replay from there. */
  #listeningSinceS: number | undefined;
  /** The newest event counted: a reconnect's replay starts at a whole second, so older ones repeat. */
  #lastEventNano = 0;

  constructor(docker: Docker) {
    this.#docker = docker;
  }

  /** Resolves once the stream listens; never rejects (an engine that is down is retried later). */
  ready(): Promise<void> {
    if (this.#stream !== undefined) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** OOM events seen for the container so far (0: memory never ran out); null while not listening. */
  count(id: string): number | null {
    if (this.#stream === undefined) return null;
    return this.#counts.get(id) ?? 0;
  }

  /** Resolves when the engine has reported the container's exit (at once if it has); `cancel` stops waiting. */
  afterExit(id: string): { exited: Promise<void>; cancel: () => void } {
    if (this.#exited.has(id)) return { exited: Promise.resolve(), cancel: () => {} };
    let waiter: () => void = () => {};
    const exited = new Promise<void>((resolve) => {
      waiter = resolve;
    });
    const waiters = this.#exitWaiters.get(id) ?? new Set();
    waiters.add(waiter);
    this.#exitWaiters.set(id, waiters);
    return { exited, cancel: () => waiters.delete(waiter) };
  }

  /** Resolves when the engine reports the end of exec `execId`; `cancel` stops waiting. */
  afterExec(execId: string): { ended: Promise<void>; cancel: () => void } {
    const ended = new Promise<void>((resolve) => this.#execEnds.set(execId, resolve));
    return { ended, cancel: () => this.#execEnds.delete(execId) };
  }

  get listening(): boolean {
    return this.#stream !== undefined;
  }

  forget(id: string): void {
    this.#counts.delete(id);
    this.#exited.delete(id);
  }

  async #connect(): Promise<void> {
    const since = this.#listeningSinceS;
    try {
      const stream = (await this.#docker.getEvents({
        filters: { type: ['container'], event: ['oom', 'die', 'exec_die'], label: [MANAGED_FILTER] },
        ...(since === undefined ? {} : { since }),
      })) as Readable;
      this.#listen(stream);
    } catch {
      this.#scheduleReconnect();
    }
  }

  #listen(stream: Readable): void {
    this.#stream = stream;
    // A watch must never keep the process alive on its own.
    (stream as Readable & { socket?: { unref?: () => void } }).socket?.unref?.();
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.#record(JSON.parse(line) as EngineEvent);
    });
    const lost = () => {
      if (this.#stream !== stream) return;
      this.#stream = undefined;
      // A second of overlap for the engine's clock granularity; repeats are skipped by time.
      this.#listeningSinceS = Math.floor(Date.now() / 1000) - 1;
      this.#scheduleReconnect();
    };
    stream.once('end', lost);
    stream.once('close', lost);
    stream.once('error', lost);
  }

  #record(event: EngineEvent): void {
    if (event.Action === 'exec_die') {
      const execId = event.Actor?.Attributes?.execID ?? '';
      this.#execEnds.get(execId)?.();
      this.#execEnds.delete(execId);
      return;
    }
    const id = event.Actor?.ID ?? event.id;
    if (id === undefined) return;
    if (event.Action === 'die') {
      this.#exited.add(id);
      if (this.#exited.size > MAX_TRACKED_CONTAINERS)
        this.#exited.delete(this.#exited.values().next().value ?? '');
      for (const waiter of this.#exitWaiters.get(id) ?? []) waiter();
      this.#exitWaiters.delete(id);
      return;
    }
    if (event.Action !== 'oom') return;
    if (event.timeNano !== undefined) {
      if (event.timeNano <= this.#lastEventNano) return;
      this.#lastEventNano = event.timeNano;
    }
    this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
    if (this.#counts.size > MAX_TRACKED_CONTAINERS) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
  }

  #scheduleReconnect(): void {
    setTimeout(() => void this.ready(), RECONNECT_DELAY_MS).unref();
  }
}
