/**
 * scripts/provision/merge-daemon-json.sh on real files: a team's daemon.json keeps every setting when
 * the runsc runtime is merged in; a broken one is left as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'provision', 'merge-daemon-json.sh');
const RUNSC = { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] };

function merge(content: string | undefined) {
  const file = join(mkdtempSync(join(tmpdir(), 'dockyard-daemon-')), 'docker', 'daemon.json');
  if (content !== undefined) {
    spawnSync('mkdir', ['-p', join(file, '..')]);
    writeFileSync(file, content);
  }
  const run = spawnSync('sh', [SCRIPT, file], { encoding: 'utf8' });
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    after: () => readFileSync(file, 'utf8'),
  };
}

describe('merge-daemon-json.sh', () => {
  it('adds runsc to an existing file and keeps every other key, other runtimes included', () => {
    const team = {
      'storage-driver': 'zfs',
      'registry-mirrors': ['http://mirror.team.internal:5000'],
      'log-driver': 'journald',
      'default-address-pools': [{ base: '10.99.0.0/16', size: 24 }],
      runtimes: { kata: { path: '/opt/kata/bin/kata-runtime' } },
    };
    const result = merge(JSON.stringify(team, null, 2));
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.after())).toEqual({ ...team, runtimes: { ...team.runtimes, runsc: RUNSC } });
    expect(result.stdout).toMatch(/other settings kept/);
  });

  it('creates a file when there is none', () => {
    const result = merge(undefined);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.after())).toEqual({ runtimes: { runsc: RUNSC }, 'storage-driver': 'overlay2' });
  });

  it('leaves a file that already registers runsc exactly as it is', () => {
    const content = '{ "runtimes": { "runsc": { "path": "/usr/local/bin/runsc" } }, "debug": true }\n';
    const result = merge(content);
    expect(result.status).toBe(0);
    expect(result.after()).toBe(content);
  });

  it('refuses to touch a file that is not JSON, and says so', () => {
    const content = '{ "storage-driver": "overlay2", # a comment\n';
    const result = merge(content);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not a JSON object; left unchanged/);
    expect(result.after()).toBe(content);
  });
});
