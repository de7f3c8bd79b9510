import { describe, expect, it } from 'vitest';
import { OutputRing } from '../../../sandbox-server/src/terminals/output-ring.ts';
import { parseControlMessage } from '../../../sandbox-server/src/terminals/terminal-protocol.ts';

describe('OutputRing', () => {
  it('keeps only the most recent bytes, across and within chunks', () => {
    const ring = new OutputRing(8);
    ring.push(Buffer.from('abcde'));
    ring.push(Buffer.from('fghij'));
    expect(ring.contents().toString()).toBe('cdefghij');
    ring.push(Buffer.from('0123456789'));
    expect(ring.contents().toString()).toBe('23456789');
    ring.push(Buffer.from('x'));
    expect(ring.contents().toString()).toBe('3456789x');
  });
});

describe('parseControlMessage', () => {
  it('accepts resize and ack with valid numbers only', () => {
    expect(parseControlMessage('{"type":"resize","cols":80,"rows":24}')).toEqual({
      type: 'resize',
      cols: 80,
      rows: 24,
    });
    expect(parseControlMessage('{"type":"ack","bytes":4096}')).toEqual({ type: 'ack', bytes: 4096 });
    for (const bad of [
      'not json',
      'null',
      '{"type":"resize","cols":1,"rows":24}',
      '{"type":"resize","cols":80,"rows":1000}',
      '{"type":"resize","cols":80.5,"rows":24}',
      '{"type":"ack","bytes":-1}',
      '{"type":"exec","cmd":"id"}',
    ]) {
      expect(parseControlMessage(bad)).toBeNull();
    }
  });
});
