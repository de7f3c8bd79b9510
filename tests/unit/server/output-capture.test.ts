import { describe, expect, it } from 'vitest';
import { OutputCapture } from '../../../sandbox-server/src/runs/output-capture.ts';
import { retainedBytes } from '../../support/memory.ts';

describe('OutputCapture', () => {
  it('keeps everything under the limit and forwards it as text', () => {
    const sunk: string[] = [];
    const capture = new OutputCapture(
      100,
      (stream, text) => sunk.push(`${stream}:${text}`),
      () => {},
    );
    capture.write('stdout', Buffer.from('a'));
    capture.write('stderr', Buffer.from('b'));
    expect(capture.finish()).toEqual({ stdout: 'a', stderr: 'b' });
    expect(sunk).toEqual(['stdout:a', 'stderr:b']);
    expect(capture.truncated).toBe(false);
  });

  it('cuts at the limit across both streams and signals once', () => {
    let limits = 0;
    const capture = new OutputCapture(
      10,
      () => {},
      () => limits++,
    );
    capture.write('stdout', Buffer.from('123456'));
    capture.write('stderr', Buffer.from('abcdef'));
    capture.write('stdout', Buffer.from('more'));
    expect(capture.finish()).toEqual({ stdout: '123456', stderr: 'abcd' });
    expect(capture.truncated).toBe(true);
    expect(limits).toBe(1);
  });

  it('does not keep what is written past the limit', () => {
    const capture = new OutputCapture(
      1024,
      () => {},
      () => {},
    );
    const before = retainedBytes();
    // 128 MiB offered in fresh chunks, as a stream delivers them: what the capture keeps of them
    // survives a full collection, the rest must not.
    for (let i = 0; i < 2000; i++) capture.write('stdout', Buffer.alloc(64 * 1024, 'y'));
    const grownBytes = retainedBytes() - before;
    expect(capture.finish().stdout.length).toBe(1024);
    // Far below the 128 MiB offered, with room for whatever else the test process allocates meanwhile.
    expect(grownBytes).toBeLessThan(48 * 1024 * 1024);
  });

  it('holds a split UTF-8 character until it is complete', () => {
    const sunk: string[] = [];
    const capture = new OutputCapture(
      100,
      (_stream, text) => sunk.push(text),
      () => {},
    );
    const euro = Buffer.from('€');
    capture.write('stdout', euro.subarray(0, 1));
    capture.write('stdout', euro.subarray(1));
    expect(sunk).toEqual(['€']);
    expect(capture.finish().stdout).toBe('€');
  });
});
