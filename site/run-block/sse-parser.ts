/**
 * Incremental parser for a `text/event-stream` body (WHATWG HTML, "Server-sent
 * events"), fed with decoded text chunks as they arrive from fetch. We read
 * the stream from fetch rather than EventSource because a run is a POST and
 * aborting the request is how Stop kills the run.
 */
export interface ServerSentEvent {
  event: string;
  data: string;
}

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #sawData = false;

  /** Parses a chunk; returns the events it completed. */
  push(chunk: string): ServerSentEvent[] {
    this.#buffer += chunk;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.#buffer.length; index++) {
      const char = this.#buffer[index];
      if (char !== '\n' && char !== '\r') continue;
      // A CR at the end of the buffer may be the first half of CRLF: wait for more.
      if (char === '\r' && index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(start, index);
      if (char === '\r' && this.#buffer[index + 1] === '\n') index++;
      start = index + 1;
      const event = this.#line(line);
      if (event) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#data.push(value);
      this.#sawData = true;
    }
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event = this.#sawData
      ? { event: this.#event || 'message', data: this.#data.join('\n') }
      : undefined;
    this.#event = '';
    this.#data = [];
    this.#sawData = false;
    return event;
  }
}
