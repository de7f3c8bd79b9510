/**
 * The server's start command has one source (sandbox-server/src/server-command.ts); the two places that
 * cannot import it — the container image's CMD and package.json's `serve` — must say the same.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SERVER_ENTRY,
  SERVER_NODE_FLAGS,
  serverCommandLine,
  serverNodeArguments,
} from '../../../sandbox-server/src/server-command.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('the server command', () => {
  it('is the flags, then the entry (absolute when a root is given)', () => {
    expect(serverNodeArguments()).toEqual([...SERVER_NODE_FLAGS, SERVER_ENTRY]);
    expect(serverNodeArguments('/repo')).toEqual([...SERVER_NODE_FLAGS, `/repo/${SERVER_ENTRY}`]);
    expect(serverCommandLine()).toBe(`node ${SERVER_NODE_FLAGS.join(' ')} ${SERVER_ENTRY}`);
  });

  it('is what the container image runs', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd, 'the Dockerfile has an exec-form CMD').toBeDefined();
    expect(JSON.parse(cmd as string)).toEqual(['node', ...serverNodeArguments()]);
  });

  it('is what `npm run serve` runs', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.serve).toBe(`sh scripts/use-node.sh ${serverCommandLine()}`);
  });

  it('has flags this Node accepts', () => {
    // A mistyped V8 flag makes node refuse to start ("bad option"), which no other unit test would see.
    const out = execFileSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.stdout.write("ok")']);
    expect(out.toString()).toBe('ok');
  });
});
