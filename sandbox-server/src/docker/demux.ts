/**
 * Splits Docker's multiplexed attach stream (Tty: false) into stdout and
 * stderr. Each frame is an 8-byte header — stream type, 3 zero bytes, a
 * big-endian payload length — followed by the payload. Socket chunks cut
 * frames anywhere, so partial headers and payloads are carried over; the
 * carried bytes never exceed one header plus one chunk.
 */
export type StreamName = 'stdout' | 'stderr';

const HEADER_BYTES = 8;
const STREAM_BY_TYPE: Record<number, StreamName> = { 1: 'stdout', 2: 'stderr' };

export function createFrameDemuxer(
  onOutput: (stream: StreamName, chunk: Buffer) => void,
): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  let current: StreamName | undefined;
  let remaining = 0;

  return (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining === 0) {
        const needed = HEADER_BYTES - header.length;
        header = Buffer.concat([header, chunk.subarray(offset, offset + needed)]);
        offset += Math.min(needed, chunk.length - offset);
        if (header.length < HEADER_BYTES) return;
        // Type 0 is stdin echo, 3 is systemerr; neither is the process's output.
        current = STREAM_BY_TYPE[header[0] ?? 0];
        remaining = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(remaining, chunk.length - offset);
      if (current !== undefined) onOutput(current, chunk.subarray(offset, offset + take));
      offset += take;
      remaining -= take;
    }
  };
}
