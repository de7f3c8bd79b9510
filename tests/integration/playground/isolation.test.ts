/**
 * Attacks on the playground, each with the result a reader (or the host) must observe. The reader is
 * root in the playground and can start --privileged inner containers; none of it may reach the host,
 * other playgrounds or the network, or outlive the session.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYGROUND_ROLE } from '../../../sandbox-server/src/playground/playground-pool.ts';
import { type PlaygroundServer, startPlaygroundServer } from './harness.ts';

const SESSION_LIMIT = 3;
const DISK_LIMIT_MIB = 128;
const PIDS_LIMIT = 512;

let server: PlaygroundServer;
let session: string;
const canaryPath = `/tmp/dockyard-canary-${randomBytes(6).toString('hex')}`;
const canaryText = randomBytes(12).toString('hex');

beforeAll(async () => {
  writeFileSync(canaryPath, canaryText);
  server = await startPlaygroundServer({
    SESSION_LIMIT: String(SESSION_LIMIT),
    SESSION_LIMIT_PER_CLIENT: '2',
    PLAYGROUND_DISK_LIMIT_MIB: String(DISK_LIMIT_MIB),
    PLAYGROUND_PIDS_LIMIT: String(PIDS_LIMIT),
  });
  session = await server.newSession();
});
afterAll(async () => {
  rmSync(canaryPath, { force: true });
  await server?.app.close();
});

const run = (code: string) => server.run(code, session);
const playgroundsOfThisServer = async () =>
  (await server.engine.listContainers([`dockyard.role=${PLAYGROUND_ROLE}`])).filter((c) =>
    server.containers.isTracked(c.name),
  );

describe('playground isolation', () => {
  it('cannot load a kernel module, even from a --privileged inner container', async () => {
    const result = await run('docker run --rm --privileged busybox insmod /bin/busybox');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/Operation not permitted/);
  });

  it('cannot mount the host’s block device', async () => {
    const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', '/'], { encoding: 'utf8' }).trim();
    const rdev = statSync(device).rdev;
    const [major, minor] = [Math.floor(rdev / 256) & 0xfff, (rdev & 0xff) | ((rdev >> 12) & 0xfff00)];
    const code = `docker run --rm --privileged busybox sh -c 'mknod /dev/hostdisk b ${major} ${minor}; mkdir -p /mnt/h; mount /dev/hostdisk /mnt/h && ls /mnt/h'`;
    const inner = await run(code);
    expect(inner.exitCode).not.toBe(0);
    const outer = await run(
      `mknod /root/hostdisk b ${major} ${minor}; mkdir -p /mnt/h; mount /root/hostdisk /mnt/h && ls /mnt/h`,
    );
    expect(outer.exitCode).not.toBe(0);
  });

  it('does not show the host’s files to docker run --privileged -v /:/host', async () => {
    const result = await run(
      `docker run --rm --privileged -v /:/host busybox sh -c 'cat /host${canaryPath}; ls /host/tmp'`,
    );
    expect(result.stdout + result.stderr).not.toContain(canaryText);
    expect(result.stderr).toContain('No such file or directory');
    expect(readFileSync(canaryPath, 'utf8')).toBe(canaryText);
  });

  it('refuses host kernel interfaces to root with CAP_SYS_ADMIN: tracefs, debugfs, core_pattern', async () => {
    const result = await run(
      `docker run --rm --privileged busybox sh -c 'mkdir -p /t; mount -t tracefs none /t || echo tracefs-refused; mount -t debugfs none /t || echo debugfs-refused; echo "|/bin/sh" > /proc/sys/kernel/core_pattern || echo core_pattern-refused'`,
    );
    expect(result.stdout).toContain('tracefs-refused');
    expect(result.stdout).toContain('debugfs-refused');
    expect(result.stdout).toContain('core_pattern-refused');
    expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).not.toContain('/bin/sh');
  });

  it('has no network egress, from the playground or its containers', async () => {
    const result = await run(
      'curl -s -m 3 -o /dev/null http://deb.debian.org/ && echo outer-reached; docker run --rm busybox wget -q -T 3 -O /dev/null http://deb.debian.org/ && echo inner-reached; docker run --rm busybox wget -q -T 3 -O /dev/null http://151.101.2.132/ && echo inner-ip-reached; echo done',
    );
    expect(result.stdout).not.toContain('reached');
    expect(result.stdout).toContain('done');
  });

  it('contains a fork bomb in an inner container within the playground’s process limit', async () => {
    await run(`docker run -d --name bomb busybox sh -c 'b() { b | b & }; b'`);
    await run('sleep 4');
    const [playground] = (await playgroundsOfThisServer()).filter((c) => c.state === 'running');
    expect(playground).toBeDefined();
    const pids = Number(readFileSync(`/sys/fs/cgroup/pids/docker/${playground?.id}/pids.current`, 'utf8'));
    expect(pids).toBeLessThanOrEqual(PIDS_LIMIT);
    // The server stays responsive: another session still works.
    const other = await server.newSession('10.0.0.9');
    expect((await server.run('docker run --rm busybox echo alive', other)).stdout.trim()).toBe('alive');
    await server.app.inject({ method: 'DELETE', url: `/api/sessions/${other}` });
  });

  it('stops a filled inner disk at its size limit', async () => {
    const fresh = await server.newSession('10.0.0.10');
    const result = await server.run(
      `docker run --rm busybox dd if=/dev/zero of=/fill bs=1M count=${DISK_LIMIT_MIB * 2} 2>&1 | tail -2`,
      fresh,
    );
    expect(result.stdout).toContain('No space left on device');
    await server.app.inject({ method: 'DELETE', url: `/api/sessions/${fresh}` });
  });

  it('takes every container with it when the session ends', async () => {
    const fresh = await server.newSession('10.0.0.11');
    await server.run('docker run -d --name web nginx && docker run -d --name loop busybox sleep 1000', fresh);
    const before = (await playgroundsOfThisServer()).map((c) => c.id);
    const deleted = await server.app.inject({ method: 'DELETE', url: `/api/sessions/${fresh}` });
    expect(deleted.statusCode).toBe(204);
    const after = (await playgroundsOfThisServer()).map((c) => c.id);
    expect(after.length).toBe(before.length - 1);
    expect(execFileSync('sh', ['-c', 'pgrep -f "sleep 1000" | wc -l'], { encoding: 'utf8' }).trim()).toBe(
      '0',
    );
    const gone = await server.app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'docker', code: 'docker ps', session: fresh },
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().message).toMatch(/start a new session/);
  });

  it('answers 50 concurrent session requests with 201s up to the limit and 429s, leaking nothing', async () => {
    await server.app.inject({ method: 'DELETE', url: `/api/sessions/${session}` });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.app.inject({ method: 'POST', url: '/api/sessions', remoteAddress: `10.1.0.${i % 25}` }),
      ),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(SESSION_LIMIT);
    expect(responses.filter((r) => r.statusCode === 429)).toHaveLength(50 - SESSION_LIMIT);
    for (const response of created) {
      await server.app.inject({ method: 'DELETE', url: `/api/sessions/${response.json().id}` });
    }
    expect(server.sessions.size).toBe(0);
    // Only the warm pool's playgrounds remain.
    expect((await playgroundsOfThisServer()).length).toBeLessThanOrEqual(
      server.config.playgroundPoolSize + 2,
    );
  });
});
