/**
 * The most recent bytes of a terminal's output, replayed when the page reconnects, so the reader sees
 * where they were. Old output is dropped as new output arrives: memory stays at `capacityBytes`.
 */
export class OutputRing {
  readonly #capacityBytes: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(capacityBytes: number) {
    this.#capacityBytes = capacityBytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length >= this.#capacityBytes) {
      this.#chunks.splice(
        0,
        this.#chunks.length,
        Buffer.from(chunk.subarray(chunk.length - this.#capacityBytes)),
      );
      this.#size = this.#capacityBytes;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#capacityBytes) {
      const first = this.#chunks[0] as Buffer;
      const excess = this.#size - this.#capacityBytes;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
      }
    }
  }

  contents(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
