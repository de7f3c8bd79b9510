/**
 * The benchmark workloads, one per invocation, timed from the inside so that starting a container
 * or `docker exec` is not part of the figure. The same file runs natively and in the containers
 * (bind-mounted together with the same Node binary), so both sides execute identical code.
 * It imports nothing but Node built-ins: in a container it is alone.
 *
 *   node workload.ts cpu <iterations>                  → { value: ms }
 *   node workload.ts spawn <count>                     → { value: µs per fork+exec of /bin/true }
 *   node workload.ts write <dir> <MiB>                 → { value: MiB/s, fsync included }
 *   node workload.ts small-files <dir> <count>         → { value: µs per 4 KiB file create+write+close+unlink }
 *   node workload.ts first-write <file> [<MiB>]        → { value: ms for changing 1 byte of an existing file }
 *   node workload.ts tcp-server <port>                 (serves until killed)
 *   node workload.ts tcp-throughput <host> <port> <MiB> → { value: MiB/s }
 *   node workload.ts tcp-rtt <host> <port> <count>     → { value: µs per 64-byte round trip }
 *
 * Prints one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const SMALL_FILE_BYTES = 4096;
const RTT_MESSAGE_BYTES = 64;
const CONNECT_RETRY_MS = 15_000;

let checksum: number | undefined;

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function cpu(iterations: number): number {
  const started = process.hrtime.bigint();
  // xorshift32: integer work the JIT cannot fold away, no allocation, no syscalls.
  let x = 2463534242;
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    sum = (sum + (x & 0xff)) | 0;
  }
  const ms = elapsedMs(started);
  checksum = sum; // printed, so the loop's result is used and cannot be optimised away
  return ms;
}

function spawnMany(count: number): number {
  const started = process.hrtime.bigint();
  execFileSync('/bin/sh', ['-c', `i=0; while [ $i -lt ${count} ]; do /bin/true; i=$((i+1)); done`]);
  return (elapsedMs(started) * 1000) / count;
}

function writeFile(dir: string, mib: number): number {
  const file = join(dir, `bench-write-${process.pid}.bin`);
  const chunk = Buffer.alloc(MiB, 0x5a);
  const started = process.hrtime.bigint();
  const fd = openSync(file, 'w');
  for (let i = 0; i < mib; i++) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const seconds = elapsedMs(started) / 1000;
  rmSync(file);
  return mib / seconds;
}

function smallFiles(dir: string, count: number): number {
  const work = mkdtempSync(join(dir, 'bench-small-'));
  const content = Buffer.alloc(SMALL_FILE_BYTES, 0x5a);
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const fd = openSync(join(work, `f${i}`), 'w');
    writeSync(fd, content);
    closeSync(fd);
  }
  rmSync(work, { recursive: true });
  return (elapsedMs(started) * 1000) / count;
}

/** Changes one byte of an existing file. In an image layer that copies the whole file up first. */
function firstWrite(file: string, mibIfMissing: number): number {
  if (!existsSync(file)) {
    const fd = openSync(file, 'w');
    const chunk = Buffer.alloc(MiB, 0x5a);
    for (let i = 0; i < mibIfMissing; i++) writeSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
  }
  const started = process.hrtime.bigint();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([0x42]), 0, 1, 0);
  closeSync(fd);
  return elapsedMs(started);
}

/** 'T': count bytes until the client ends, answer with the count. 'R': echo every byte. */
function tcpServer(port: number): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let mode: number | undefined;
    let received = 0;
    socket.on('data', (data: Buffer) => {
      let payload = data;
      if (mode === undefined) {
        mode = data[0];
        payload = data.subarray(1);
      }
      if (mode === 0x52) socket.write(payload);
      else received += payload.length;
    });
    socket.on('end', () => (mode === 0x54 ? socket.end(`${received}\n`) : socket.end()));
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, '0.0.0.0', () => console.log(JSON.stringify({ listening: port })));
}

async function connectWithRetry(host: string, port: number): Promise<Socket> {
  const deadline = Date.now() + CONNECT_RETRY_MS;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function tcpThroughput(host: string, port: number, mib: number): Promise<number> {
  const socket = await connectWithRetry(host, port);
  const chunk = Buffer.alloc(256 * 1024, 0x5a);
  const total = mib * MiB;
  const started = process.hrtime.bigint();
  socket.write(Buffer.from('T'));
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
  let answer = '';
  for await (const data of socket) answer += String(data);
  const seconds = elapsedMs(started) / 1000;
  if (Number(answer.trim()) !== total) throw new Error(`server received ${answer.trim()} of ${total} bytes`);
  return mib / seconds;
}

async function tcpRtt(host: string, port: number, count: number): Promise<number> {
  const socket = await connectWithRetry(host, port);
  const message = Buffer.alloc(RTT_MESSAGE_BYTES, 0x5a);
  socket.write(Buffer.from('R'));
  let pending = 0;
  let done: (() => void) | undefined;
  socket.on('data', (data: Buffer) => {
    pending -= data.length;
    if (pending <= 0) done?.();
  });
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      done = resolve;
      pending = RTT_MESSAGE_BYTES;
      socket.write(message);
    });
  for (let i = 0; i < 50; i++) await roundTrip(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await roundTrip();
  const us = (elapsedMs(started) * 1000) / count;
  socket.destroy();
  return us;
}

const [command, ...args] = process.argv.slice(2);
const number = (index: number) => {
  const value = Number(args[index]);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${command}: argument ${index + 1} must be a positive number`);
  return value;
};
const text = (index: number) => {
  const value = args[index];
  if (value === undefined) throw new Error(`${command}: argument ${index + 1} is missing`);
  return value;
};

let value: number;
switch (command) {
  case 'cpu':
    value = cpu(number(0));
    break;
  case 'spawn':
    value = spawnMany(number(0));
    break;
  case 'write':
    value = writeFile(text(0), number(1));
    break;
  case 'small-files':
    value = smallFiles(text(0), number(1));
    break;
  case 'first-write':
    value = firstWrite(text(0), args[1] === undefined ? 64 : number(1));
    break;
  case 'tcp-server':
    tcpServer(number(0));
    value = Number.NaN;
    break;
  case 'tcp-throughput':
    value = await tcpThroughput(text(0), number(1), number(2));
    break;
  case 'tcp-rtt':
    value = await tcpRtt(text(0), number(1), number(2));
    break;
  default:
    throw new Error(`unknown workload ${command ?? '(none)'}`);
}
if (command !== 'tcp-server')
  console.log(JSON.stringify({ value, ...(checksum === undefined ? {} : { checksum }) }));
