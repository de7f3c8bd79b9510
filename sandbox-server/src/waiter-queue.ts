/**
 * Callers waiting their turn for something handed out later (a warm container, a run slot), oldest
 * first. A waiter whose signal aborts leaves the queue at once and gets the signal's reason, so a
 * client that went away never holds a place nor receives what the next caller should get.
 */
interface Waiter<Payload, Value> {
  payload: Payload;
  resolve: (value: Value) => void;
  reject: (error: unknown) => void;
}

export class WaiterQueue<Payload, Value> {
  readonly #waiters: Waiter<Payload, Value>[] = [];

  get length(): number {
    return this.#waiters.length;
  }

  /** Waits until `resolveAt`/`resolveFirst` hands this waiter a value or `rejectAll` fails it. */
  wait(payload: Payload, signal: AbortSignal): Promise<Value> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Value>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal.reason);
      };
      const waiter: Waiter<Payload, Value> = {
        payload,
        resolve: (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** The waiters' payloads with their positions, oldest first. */
  *entries(): IterableIterator<[number, Payload]> {
    for (const [index, waiter] of this.#waiters.entries()) yield [index, waiter.payload];
  }

  /** Hands `value` to the waiter at `index`; false when there is none. */
  resolveAt(index: number, value: Value): boolean {
    const [waiter] = this.#waiters.splice(index, 1);
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  /** Hands `value` to the oldest waiter; false when nobody waits. */
  resolveFirst(value: Value): boolean {
    return this.resolveAt(0, value);
  }

  /** Fails every waiter with `error` and empties the queue. */
  rejectAll(error: unknown): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
