import { describe, expect, it } from 'vitest';
import { createFrameDemuxer, type StreamName } from '../../../sandbox-server/src/docker/demux.ts';

function frame(type: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('Docker stream demuxer', () => {
  const wire = Buffer.concat([
    frame(1, 'out-1 '),
    frame(2, 'err-1'),
    frame(0, 'stdin echo'),
    frame(1, 'out-2'),
  ]);

  it('splits stdout from stderr and drops other frame types', () => {
    const seen: Record<StreamName, string> = { stdout: '', stderr: '' };
    createFrameDemuxer((stream, chunk) => {
      seen[stream] += chunk.toString();
    })(wire);
    expect(seen).toEqual({ stdout: 'out-1 out-2', stderr: 'err-1' });
  });

  it('gives the same result however the socket cuts the bytes', () => {
    for (let size = 1; size <= wire.length; size++) {
      const seen: Record<StreamName, string> = { stdout: '', stderr: '' };
      const demux = createFrameDemuxer((stream, chunk) => {
        seen[stream] += chunk.toString();
      });
      for (let offset = 0; offset < wire.length; offset += size) demux(wire.subarray(offset, offset + size));
      expect(seen, `chunks of ${size} bytes`).toEqual({ stdout: 'out-1 out-2', stderr: 'err-1' });
    }
  });
});
