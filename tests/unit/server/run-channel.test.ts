import { describe, expect, it, vi } from 'vitest';
import {
  RunChannel,
  RunChannelClosedError,
  STOPPED_RUN_REPORT_MS,
} from '../../../sandbox-server/src/playground/run-channel.ts';
import { exitTrailer } from '../../../sandbox-server/src/runs/snippet-protocol.ts';
import { FakeAttachment } from './fakes/fake-attachment.ts';

/** A channel over a fake playground-serve whose requests the test answers by hand. */
function channel() {
  const requests: Array<{ nonce: string; runId: string; code: string }> = [];
  const attachment = new FakeAttachment(
    () => true,
    (data) => {
      const text = data.toString('utf8');
      expect(text.endsWith('\0')).toBe(true);
      const newline = text.indexOf('\n');
      const [nonce = '', runId = ''] = text.slice(0, newline).split(' ');
      requests.push({ nonce, runId, code: text.slice(newline + 1, -1) });
    },
  );
  const report = (nonce: string, status: number) => {
    attachment.emit('stdout', Buffer.from(exitTrailer(nonce, status)));
    attachment.emit('stderr', Buffer.from(exitTrailer(nonce, status)));
  };
  return { attachment, requests, report, runChannel: new RunChannel(attachment) };
}

function collector() {
  const seen: string[] = [];
  return { seen, onOutput: (_stream: string, chunk: Buffer) => seen.push(chunk.toString()) };
}

describe('RunChannel', () => {
  it('sends each run as a request and resolves with the status its trailers report', async () => {
    const { attachment, requests, report, runChannel } = channel();
    const out = collector();
    const run = runChannel.run('r1', 'docker ps', out.onOutput, new AbortController().signal);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]).toMatchObject({ runId: 'r1', code: 'docker ps' });
    attachment.emit('stdout', Buffer.from('CONTAINER ID\n'));
    report(requests[0]?.nonce ?? '', 3);
    expect(await run).toEqual({ exitCode: 3 });
    expect(out.seen).toEqual(['CONTAINER ID\n']);
  });

  it('keeps a given-up run’s late output from the next run, which waits for its trailers', async () => {
    const { attachment, requests, report, runChannel } = channel();
    const first = collector();
    const giveUp = new AbortController();
    const run1 = runChannel.run('r1', 'sleep 1000', first.onOutput, giveUp.signal);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    giveUp.abort(new Error('time limit'));
    await expect(run1).rejects.toThrow('time limit');
    const second = collector();
    const run2 = runChannel.run('r2', 'echo two', second.onOutput, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(requests).toHaveLength(1); // not sent while r1 has not reported
    attachment.emit('stdout', Buffer.from('late output of r1\n'));
    report(requests[0]?.nonce ?? '', 137);
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    attachment.emit('stdout', Buffer.from('two\n'));
    report(requests[1]?.nonce ?? '', 0);
    expect(await run2).toEqual({ exitCode: 0 });
    expect(first.seen).toEqual([]);
    expect(second.seen).toEqual(['two\n']);
  });

  it('abandons itself when a given-up run never reports, so the caller opens another', async () => {
    vi.useFakeTimers();
    try {
      const { requests, runChannel } = channel();
      const giveUp = new AbortController();
      const run1 = runChannel.run('r1', 'sleep 1000', () => {}, giveUp.signal);
      await vi.waitFor(() => expect(requests).toHaveLength(1));
      giveUp.abort(new Error('time limit'));
      await expect(run1).rejects.toThrow('time limit');
      const run2 = runChannel.run('r2', 'true', () => {}, new AbortController().signal);
      const settled = expect(run2).rejects.toBeInstanceOf(RunChannelClosedError);
      await vi.advanceTimersByTimeAsync(STOPPED_RUN_REPORT_MS);
      await settled;
      expect(runChannel.open).toBe(false);
      expect(requests).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends a run with a null exit code when playground-serve goes away mid-run', async () => {
    const { attachment, requests, runChannel } = channel();
    const out = collector();
    const run = runChannel.run('r1', 'pkill -f playground-serve', out.onOutput, new AbortController().signal);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    attachment.emit('stdout', Buffer.from('partial'));
    attachment.end();
    expect(await run).toEqual({ exitCode: null });
    expect(out.seen).toEqual(['partial']);
    expect(runChannel.open).toBe(false);
  });
});
