import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamName } from '../../../sandbox-server/src/docker/demux.ts';
import {
  decodeSnippetInput,
  encodeSnippetInput,
  exitTrailer,
  SnippetOutput,
  type SnippetReport,
} from '../../../sandbox-server/src/runs/snippet-protocol.ts';

const WRAPPER_SCRIPT = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'sandbox-server',
  'images',
  'shell',
  'run-snippet',
);

const NONCE = '0123456789abcdef0123456789abcdef';

function collect() {
  const seen: Record<StreamName, string> = { stdout: '', stderr: '' };
  const output = new SnippetOutput(NONCE, (stream, chunk) => {
    seen[stream] += chunk.toString('latin1');
  });
  return { seen, output };
}

/** How `collect` sees UTF-8 text: one character per byte. */
function latin1(text: string): string {
  return Buffer.from(text).toString('latin1');
}

/** Settles with the report, or 'pending' if the output has not reported yet. */
async function reportOf(output: SnippetOutput): Promise<SnippetReport | 'pending'> {
  return Promise.race([output.report, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 10))]);
}

/** Settles with the status, or 'pending' if the output has not reported one yet. */
async function statusOf(output: SnippetOutput): Promise<number | 'pending'> {
  const report = await reportOf(output);
  return report === 'pending' ? report : report.status;
}

describe('snippet input', () => {
  it('round-trips the nonce and code, newlines and unicode included', () => {
    const code = 'echo 你好\nprintf "a\\nb"\n\n';
    expect(decodeSnippetInput(encodeSnippetInput(NONCE, code))).toEqual({ nonce: NONCE, code });
  });
});

describe('SnippetOutput', () => {
  it('passes output through and reports the status once both streams carried a trailer', async () => {
    const { seen, output } = collect();
    output.write('stdout', Buffer.from(`hello\n${exitTrailer(NONCE, 3)}`));
    expect(await statusOf(output)).toBe('pending');
    output.write('stderr', Buffer.from(`oops${exitTrailer(NONCE, 3)}`));
    expect(await statusOf(output)).toBe(3);
    expect(seen).toEqual({ stdout: 'hello\n', stderr: 'oops' });
  });

  it('finds a trailer cut anywhere across chunks, and drops what follows it', async () => {
    const trailer = exitTrailer(NONCE, 42);
    for (let cut = 0; cut <= trailer.length; cut++) {
      const { seen, output } = collect();
      const bytes = Buffer.from(`out${trailer}late`);
      output.write('stdout', bytes.subarray(0, 3 + cut));
      output.write('stdout', bytes.subarray(3 + cut));
      output.write('stderr', Buffer.from(trailer));
      expect(await statusOf(output)).toBe(42);
      expect(seen.stdout).toBe('out');
    }
  });

  it('holds back only what could start a trailer, and gives it back when the stream ends', async () => {
    const { seen, output } = collect();
    output.write('stdout', Buffer.from('text'));
    expect(seen.stdout).toBe('text');
    output.write('stdout', Buffer.from(`a\0${NONCE.slice(0, 5)}`));
    expect(seen.stdout).toBe('texta');
    output.write('stdout', Buffer.from('x'));
    expect(seen.stdout).toBe(`texta\0${NONCE.slice(0, 5)}x`);
    output.write('stderr', Buffer.from(`\0${NONCE}`));
    output.end();
    expect(seen.stderr).toBe(`\0${NONCE}`);
    expect(await statusOf(output)).toBe('pending');
  });

  it('is not ended by a trailer with another nonce, or a malformed status', async () => {
    const { seen, output } = collect();
    const forged = exitTrailer('f'.repeat(32), 0);
    output.write('stdout', Buffer.from(forged));
    output.write('stderr', Buffer.from(forged));
    expect(await statusOf(output)).toBe('pending');
    expect(seen.stdout).toBe(forged);
    output.write('stdout', Buffer.from(`\0${NONCE} zero\n`));
    output.write('stderr', Buffer.from(exitTrailer(NONCE, 0)));
    expect(await statusOf(output)).toBe('pending');
  });
});

describe('the memory verdict in the trailer', () => {
  it('is taken when both streams carry the same one', async () => {
    for (const oomKilled of [true, false]) {
      const { output } = collect();
      output.write('stdout', Buffer.from(exitTrailer(NONCE, 137, oomKilled)));
      output.write('stderr', Buffer.from(exitTrailer(NONCE, 137, oomKilled)));
      expect(await reportOf(output)).toEqual({ status: 137, oomKilled });
    }
  });

  it('is unknown when the trailers leave it out or disagree', async () => {
    const without = collect().output;
    for (const stream of ['stdout', 'stderr'] as const)
      without.write(stream, Buffer.from(exitTrailer(NONCE, 0)));
    expect(await reportOf(without)).toEqual({ status: 0, oomKilled: undefined });
    const disagreeing = collect().output;
    disagreeing.write('stdout', Buffer.from(exitTrailer(NONCE, 0, true)));
    disagreeing.write('stderr', Buffer.from(exitTrailer(NONCE, 0, false)));
    expect(await reportOf(disagreeing)).toEqual({ status: 0, oomKilled: undefined });
  });

  it('is read from a trailer split byte by byte', async () => {
    const { seen, output } = collect();
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const byte of Buffer.from(`out${exitTrailer(NONCE, 1, true)}`))
        output.write(stream, Buffer.from([byte]));
    }
    expect(await reportOf(output)).toEqual({ status: 1, oomKilled: true });
    expect(seen).toEqual({ stdout: 'out', stderr: 'out' });
  });

  it('anything but a space, 0 or 1 and a newline after the status is output, not a trailer', async () => {
    const { seen, output } = collect();
    for (const forged of [`\0${NONCE} 0 2\n`, `\0${NONCE} 0 1x`, `\0${NONCE} 0  `]) {
      output.write('stdout', Buffer.from(forged));
    }
    output.end();
    expect(seen.stdout).toBe(`\0${NONCE} 0 2\n\0${NONCE} 0 1x\0${NONCE} 0  `);
    expect(await statusOf(output)).toBe('pending');
  });
});

describe('a reader who knows the nonce', () => {
  /** The marker, the longest status and a verdict: all the parser may ever wait for. */
  const TRAILER_MAX_BYTES = `\0${NONCE} 255 1`.length;

  it('cannot make the parser buffer: a forged trailer start followed by a flood is output', () => {
    let passedOn = 0;
    const output = new SnippetOutput(NONCE, (_stream, chunk) => {
      passedOn += chunk.length;
    });
    const flood = Buffer.alloc(64 * 1024, 'x');
    output.write('stdout', Buffer.from(`\0${NONCE} `));
    let offered = `\0${NONCE} `.length;
    for (let i = 0; i < 256; i++) {
      output.write('stdout', flood);
      offered += flood.length;
      expect(output.heldBytes).toBeLessThanOrEqual(TRAILER_MAX_BYTES);
    }
    // Everything went on to the output cap, which stops the run.
    expect(passedOn).toBe(offered);
  });

  it('cannot make it buffer with a run of digits or a status split byte by byte', async () => {
    const { seen, output } = collect();
    for (const byte of Buffer.from(`\0${NONCE} 12345678`)) {
      output.write('stderr', Buffer.from([byte]));
      expect(output.heldBytes).toBeLessThanOrEqual(TRAILER_MAX_BYTES);
    }
    expect(seen.stderr).toBe(`\0${NONCE} 12345678`);
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const byte of Buffer.from(exitTrailer(NONCE, 42))) output.write(stream, Buffer.from([byte]));
    }
    expect(await statusOf(output)).toBe(42);
  });
});

describe('the shell image’s run-snippet under bash', () => {
  /**
   * Runs the wrapper the way a shell sandbox does, minus the container. Its cgroup file system is a
   * directory of the test's (empty by default: the host's own files must not decide the result).
   */
  function runWrapper(code: string, cgroupRoot = mkdtempSync(join(tmpdir(), 'dockyard-cgroup-'))) {
    return new Promise<{
      status: number | 'pending';
      oomKilled: boolean | undefined;
      seen: Record<StreamName, string>;
    }>((resolve, reject) => {
      // --norc: Debian's bash sources ~/.bashrc when stdin is a socket, as Node's pipes are (a container's is a FIFO).
      const child = spawn('bash', ['--norc', WRAPPER_SCRIPT], {
        env: { PATH: process.env.PATH ?? '', SNIPPET_CGROUP_ROOT: cgroupRoot },
      });
      const { seen, output } = collect();
      child.stdout.on('data', (chunk: Buffer) => output.write('stdout', chunk));
      child.stderr.on('data', (chunk: Buffer) => output.write('stderr', chunk));
      child.on('error', reject);
      child.on('close', async () => {
        const report = await reportOf(output);
        resolve({
          status: report === 'pending' ? report : report.status,
          oomKilled: report === 'pending' ? undefined : report.oomKilled,
          seen,
        });
      });
      child.stdin.end(encodeSnippetInput(NONCE, code));
    });
  }

  /** A cgroup file system holding `file` (relative) with `content`. */
  function cgroupWith(file: string, content: string): string {
    const root = mkdtempSync(join(tmpdir(), 'dockyard-cgroup-'));
    mkdirSync(join(root, 'memory'));
    writeFileSync(join(root, file), content);
    return root;
  }

  it('reports no memory verdict where it finds no cgroup file (gVisor)', async () => {
    const { status, oomKilled } = await runWrapper('exit 3');
    expect(status).toBe(3);
    expect(oomKilled).toBeUndefined();
  });

  it('reports whether the OOM kill count moved while the snippet ran (cgroup v2 and v1)', async () => {
    const v2 = 'anon 0\nlow 0\nhigh 0\nmax 4\noom 2\noom_kill 0\noom_group_kill 0\n';
    const v1 = 'oom_kill_disable 0\nunder_oom 0\noom_kill 0'; // the last line without a newline
    for (const [file, content] of [
      ['memory.events', v2],
      ['memory/memory.oom_control', v1],
    ] as const) {
      const quiet = await runWrapper('echo fine', cgroupWith(file, content));
      expect(quiet, file).toMatchObject({ status: 0, oomKilled: false });
      // The kernel counts a kill in that file; here the snippet plays the kernel.
      const root = cgroupWith(file, content);
      const killed = await runWrapper(
        `sed -i 's/^oom_kill 0/oom_kill 1/' "${join(root, file)}"; exit 0`,
        root,
      );
      expect(killed, file).toMatchObject({ status: 0, oomKilled: true });
    }
  });

  it('runs the code and reports its exit status on both streams', async () => {
    const { status, seen } = await runWrapper('echo "多字节 ✓"; echo err >&2; exit 7');
    expect(status).toBe(7);
    expect(seen).toEqual({ stdout: latin1('多字节 ✓\n'), stderr: 'err\n' });
  });

  it('keeps its own variables, including the nonce, out of the snippet’s environment', async () => {
    const { status, seen } = await runWrapper(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
      'env; echo "[${nonce-unset}] [${snippet-unset}]"; read -r line; echo "stdin=$?"',
    );
    expect(status).toBe(0);
    expect(seen.stdout).not.toContain(NONCE);
    expect(seen.stdout).toContain('[unset] [unset]');
    expect(seen.stdout).toContain('stdin=1');
  });

  it('passes a multi-line snippet whole, trailing newline included', async () => {
    const { status, seen } = await runWrapper('for i in 1 2; do\n  echo "line $i"\ndone\n');
    expect(status).toBe(0);
    expect(seen.stdout).toBe('line 1\nline 2\n');
  });
});
