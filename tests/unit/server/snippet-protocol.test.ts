import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamName } from '../../../sandbox-server/src/docker/demux.ts';
import {
  decodeSnippetInput,
  encodeSnippetInput,
  exitTrailer,
  SnippetOutput,
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

/** Settles with the status, or 'pending' if the output has not reported one yet. */
async function statusOf(output: SnippetOutput): Promise<number | 'pending'> {
  return Promise.race([output.exitStatus, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 10))]);
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

describe('a reader who knows the nonce', () => {
  /** The marker and the longest status: all the parser may ever wait for. */
  const TRAILER_MAX_BYTES = `\0${NONCE} 255`.length;

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
  /** Runs the wrapper the way a shell sandbox does, minus the container. */
  function runWrapper(code: string) {
    return new Promise<{ status: number | 'pending'; seen: Record<StreamName, string> }>(
      (resolve, reject) => {
        // --norc: Debian's bash sources ~/.bashrc when stdin is a socket, as Node's pipes are (a container's is a FIFO).
        const child = spawn('bash', ['--norc', WRAPPER_SCRIPT], {
          env: { PATH: process.env.PATH ?? '' },
        });
        const { seen, output } = collect();
        child.stdout.on('data', (chunk: Buffer) => output.write('stdout', chunk));
        child.stderr.on('data', (chunk: Buffer) => output.write('stderr', chunk));
        child.on('error', reject);
        child.on('close', async () => resolve({ status: await statusOf(output), seen }));
        child.stdin.end(encodeSnippetInput(NONCE, code));
      },
    );
  }

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
