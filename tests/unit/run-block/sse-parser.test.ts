import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../site/run-block/sse-parser.ts';

describe('SseParser', () => {
  it('parses named events with JSON data', () => {
    const parser = new SseParser();
    expect(parser.push('event: stdout\ndata: "hi\\n"\n\nevent: exit\ndata: {"exitCode":0}\n\n')).toEqual([
      { event: 'stdout', data: '"hi\\n"' },
      { event: 'exit', data: '{"exitCode":0}' },
    ]);
  });

  it('completes events split across chunks anywhere, including inside CRLF', () => {
    const stream = 'event: stderr\r\ndata: "oops"\r\n\r\nevent: stdout\r\ndata: "ok"\r\n\r\n';
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(events, `cut at ${cut}`).toEqual([
        { event: 'stderr', data: '"oops"' },
        { event: 'stdout', data: '"ok"' },
      ]);
    }
  });

  it('joins multi-line data, ignores comments and unknown fields, defaults the type to message', () => {
    const parser = new SseParser();
    expect(parser.push(': keep-alive\nid: 7\ndata: a\ndata:b\nretry: 10\n\n')).toEqual([
      { event: 'message', data: 'a\nb' },
    ]);
  });

  it('does not dispatch an event without data, nor one that is not terminated', () => {
    const parser = new SseParser();
    expect(parser.push('event: stdout\n\nevent: exit\ndata: {}')).toEqual([]);
    expect(parser.push('\n\n')).toEqual([{ event: 'exit', data: '{}' }]);
  });

  it('treats a lone CR as a line end (a CR at the end of a chunk waits: it may start a CRLF)', () => {
    const parser = new SseParser();
    expect(parser.push('event: stdout\rdata: "x"\r\revent: exit\rdata: {}\r\r')).toEqual([
      { event: 'stdout', data: '"x"' },
    ]);
    expect(parser.push('\n')).toEqual([{ event: 'exit', data: '{}' }]);
  });
});
