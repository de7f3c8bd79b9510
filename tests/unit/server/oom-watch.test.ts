import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { OomWatch } from '../../../sandbox-server/src/docker/oom-watch.ts';

/** A stand-in for dockerode's getEvents: each call hands out a new stream the test writes events to. */
function fakeDocker() {
  const streams: PassThrough[] = [];
  const requests: Array<Record<string, unknown>> = [];
  const docker = {
    async getEvents(options: Record<string, unknown>) {
      requests.push(options);
      const stream = new PassThrough();
      streams.push(stream);
      return stream;
    },
  } as unknown as Docker;
  return { docker, streams, requests };
}

const event = (Action: string, id: string, timeNano: number, Attributes: Record<string, string> = {}) =>
  `${JSON.stringify({ Action, Actor: { ID: id, Attributes }, timeNano })}\n`;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OomWatch', () => {
  it('counts oom events per container, also when a line arrives in pieces', async () => {
    const { docker, streams, requests } = fakeDocker();
    const watch = new OomWatch(docker);
    expect(watch.count('a')).toBeNull();
    await watch.ready();
    expect(requests[0]?.filters).toMatchObject({ event: ['oom', 'die', 'exec_die'] });
    const line = event('oom', 'a', 1);
    streams[0]?.write(line.slice(0, 10));
    streams[0]?.write(line.slice(10) + event('oom', 'a', 2) + event('oom', 'b', 3));
    await tick();
    expect([watch.count('a'), watch.count('b'), watch.count('c')]).toEqual([2, 1, 0]);
    watch.forget('a');
    expect(watch.count('a')).toBe(0);
  });

  it('settles waiters on the exit of the container and the end of the exec they name', async () => {
    const { docker, streams } = fakeDocker();
    const watch = new OomWatch(docker);
    await watch.ready();
    let exited = false;
    let execEnded = false;
    void watch.afterExit('a').exited.then(() => (exited = true));
    void watch.afterExec('e1').ended.then(() => (execEnded = true));
    streams[0]?.write(event('die', 'b', 1) + event('exec_die', 'a', 2, { execID: 'e0' }));
    await tick();
    expect([exited, execEnded]).toEqual([false, false]);
    streams[0]?.write(
      event('oom', 'a', 3) + event('die', 'a', 4) + event('exec_die', 'a', 5, { execID: 'e1' }),
    );
    await tick();
    expect([exited, execEnded, watch.count('a')]).toEqual([true, true, 1]);
    // An exit already reported settles a later waiter at once.
    await watch.afterExit('b').exited;
  });

  it('reconnects from where it lost the stream and does not count a replayed event twice', async () => {
    const { docker, streams, requests } = fakeDocker();
    const watch = new OomWatch(docker);
    await watch.ready();
    streams[0]?.write(event('oom', 'a', 5_000_000_000));
    await tick();
    streams[0]?.end();
    await tick();
    expect(watch.count('a')).toBeNull();
    await expect.poll(() => streams.length, { timeout: 5_000 }).toBe(2);
    expect(typeof requests[1]?.since).toBe('number');
    streams[1]?.write(event('oom', 'a', 5_000_000_000) + event('oom', 'a', 6_000_000_000));
    await tick();
    expect(watch.count('a')).toBe(2);
  });
});
