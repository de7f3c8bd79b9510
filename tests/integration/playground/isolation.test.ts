/**
 * Attacks on the playground, each with the result a reader (or the host) must observe. The reader is
 * root in the playground and can start --privileged inner containers; none of it may reach the host,
 * other playgrounds or the network, or outlive the session.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYGROUND_ROLE } from '../../../sandbox-server/src/playground/playground-pool.ts';
import {
  dockerStats,
  type PlaygroundServer,
  startPlaygroundServer,
} from '../../../scripts/lib/playground-server.ts';
import { startCanary } from '../../support/canary.ts';

const SESSION_LIMIT = 3;
const DISK_LIMIT_MIB = 128;
const PIDS_LIMIT = 512;
const MEMORY_LIMIT_MIB = 512;

let server: PlaygroundServer;
const canaryPath = `/tmp/dockyard-canary-${randomBytes(6).toString('hex')}`;
const canaryText = randomBytes(12).toString('hex');

beforeAll(async () => {
  writeFileSync(canaryPath, canaryText);
  server = await startPlaygroundServer({
    SESSION_LIMIT: String(SESSION_LIMIT),
    SESSION_LIMIT_PER_CLIENT: '2',
    PLAYGROUND_DISK_LIMIT_MIB: String(DISK_LIMIT_MIB),
    PLAYGROUND_PIDS_LIMIT: String(PIDS_LIMIT),
    PLAYGROUND_MEMORY_LIMIT_MIB: String(MEMORY_LIMIT_MIB),
    // The fork bomb in the reader's own shell runs until this limit ends it.
    PLAYGROUND_RUN_TIMEOUT_MS: '10000',
  });
});
afterAll(async () => {
  rmSync(canaryPath, { force: true });
  await server?.app.close();
});

/** Runs `test` in a session of its own, which is deleted afterwards whatever happens. */
async function inSession<T>(client: string, test: (session: string) => Promise<T>): Promise<T> {
  const session = await server.newSession(client);
  try {
    return await test(session);
  } finally {
    await server.deleteSession(session);
  }
}

const MIB = 1024 * 1024;

/** Free space on the host's file system holding Docker's data root (containers' writable layers). */
function hostDockerFreeBytes(): number {
  const root = execFileSync('docker', ['info', '-f', '{{.DockerRootDir}}'], { encoding: 'utf8' }).trim();
  const stats = statfsSync(root);
  return stats.bavail * stats.bsize;
}

/** major:minor of the host's first disk, from /proc/partitions (whatever the root file system is). */
function hostDisk(): [number, number] {
  const line = readFileSync('/proc/partitions', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((fields) => /^\d+$/.test(fields[0] ?? '') && fields[3] !== undefined);
  if (line === undefined) throw new Error('no block device in /proc/partitions');
  return [Number(line[0]), Number(line[1])];
}

describe('playground isolation', () => {
  it('cannot load a kernel module, even from a --privileged inner container', async () => {
    await inSession('10.0.0.1', async (session) => {
      const result = await server.run('docker run --rm --privileged busybox insmod /bin/busybox', session);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr + result.stdout).toMatch(/Operation not permitted/);
    });
  });

  it('cannot mount the host’s block device, from an inner container or the playground', async () => {
    const [major, minor] = hostDisk();
    await inSession('10.0.0.2', async (session) => {
      const mount = (dir: string) =>
        `mknod ${dir}/hostdisk b ${major} ${minor} && mkdir -p /mnt/h && mount ${dir}/hostdisk /mnt/h && ls /mnt/h`;
      const inner = await server.run(
        `docker run --rm --privileged busybox sh -c '${mount('/dev')}'`,
        session,
      );
      expect(inner.exitCode).not.toBe(0);
      expect(inner.stderr).toMatch(/Operation not permitted|Permission denied/);
      const outer = await server.run(mount('/root'), session);
      expect(outer.exitCode).not.toBe(0);
      expect(outer.stderr).toMatch(/Operation not permitted|Permission denied/);
    });
  });

  it('does not show the host’s files to docker run --privileged -v /:/host', async () => {
    await inSession('10.0.0.3', async (session) => {
      const result = await server.run(
        `docker run --rm --privileged -v /:/host busybox sh -c 'cat /host${canaryPath}; ls /host/tmp'`,
        session,
      );
      expect(result.stdout + result.stderr).not.toContain(canaryText);
      expect(result.stderr).toContain('No such file or directory');
      expect(readFileSync(canaryPath, 'utf8')).toBe(canaryText);
    });
  });

  it('refuses host kernel interfaces to root with CAP_SYS_ADMIN: tracefs, debugfs, core_pattern', async () => {
    await inSession('10.0.0.4', async (session) => {
      const result = await server.run(
        `docker run --rm --privileged busybox sh -c 'mkdir -p /t; mount -t tracefs none /t || echo tracefs-refused; mount -t debugfs none /t || echo debugfs-refused; echo "|/bin/sh" > /proc/sys/kernel/core_pattern || echo core_pattern-refused'`,
        session,
      );
      expect(result.stdout).toContain('tracefs-refused');
      expect(result.stdout).toContain('debugfs-refused');
      expect(result.stdout).toContain('core_pattern-refused');
      expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).not.toContain('/bin/sh');
    });
  });

  it('cannot redirect the server’s way in: the cached inner-init PID is not the reader’s to change', async () => {
    await inSession('10.0.0.4', async (session) => {
      const pidFile = '/var/lib/playground/inner-init.pid';
      // The server's cache lives outside the reader's root file system: not even visible from inside.
      const attack = await server.run(
        [`test -e ${pidFile} && echo visible`, `echo 1 > ${pidFile} 2>/dev/null; true`].join('; '),
        session,
      );
      expect(attack.stdout).toBe('');
      // Still entered as root of the playground's user namespace (mapped to an unprivileged host uid).
      const after = await server.run('id -u; cat /proc/self/uid_map', session);
      expect(after.stdout).toMatch(/^0\n\s+0\s+100000\s+\d+\n$/);
    });
  });

  it('has no network egress, from the playground or its containers: a canary on this machine sees nothing', async () => {
    const canary = await startCanary();
    const url = `http://${canary.address}:${canary.port}/`;
    try {
      await inSession('10.0.0.5', async (session) => {
        const result = await server.run(
          [
            `curl -s -m 3 -o /dev/null ${url} && echo outer-reached`,
            `docker run --rm busybox wget -q -T 3 -O /dev/null ${url} && echo inner-reached`,
            `docker run --rm --network host busybox wget -q -T 3 -O /dev/null ${url} && echo host-net-reached`,
            'echo done',
          ].join('; '),
          session,
        );
        expect(result.stdout).not.toContain('reached');
        expect(result.stdout).toContain('done');
      });
      expect(canary.contacts()).toBe(0);
    } finally {
      await canary.close();
    }
  });

  it('keeps playgrounds apart: no view of, or route to, another reader’s containers; the catalog is read-only', async () => {
    await inSession('10.0.0.6', async (first) => {
      // Polled, not a fixed sleep: nginx's start-up takes what it takes on a busy machine.
      const web = await server.run(
        'docker run -d --name neighbour -p 8080:80 nginx >/dev/null && end=$(( $(date +%s) + 60 )) && until curl -fs -o /dev/null localhost:8080/; do [ "$(date +%s)" -lt "$end" ] || break; sleep 0.5; done; curl -s localhost:8080/',
        first,
      );
      expect(web.stdout).toContain('Welcome to nginx!');
      await inSession('10.0.0.7', async (second) => {
        const probe = await server.run(
          [
            'docker ps -a --format "{{.Names}}"',
            'ps -e -o comm | grep -c nginx',
            'curl -s -m 2 -o /dev/null localhost:8080/ && echo reached-neighbour',
            'touch /catalog/docker/written 2>&1',
            'echo done',
          ].join('; '),
          second,
        );
        expect(probe.stdout).not.toContain('neighbour');
        expect(probe.stdout).toMatch(/^0$/m);
        expect(probe.stdout).not.toContain('reached');
        expect(probe.stdout).toContain('Read-only file system');
        expect(probe.stdout).toContain('done');
      });
    });
  }, 180_000);

  it('contains a fork bomb in an inner container: the playground stays within its process limit and usable', async () => {
    await inSession('10.0.0.8', async (session) => {
      const { playgroundId } = server.sessions.get(session);
      // The bomb forks from a subshell; PID 1 then becomes `sleep` without forking, so it keeps the
      // container (and the bomb) alive when forks start to fail.
      await server.run(
        `docker run -d --name bomb busybox sh -c '(b() { b | b & }; b); exec sleep 1000'`,
        session,
      );
      await expect
        .poll(() => dockerStats(playgroundId).pids, { timeout: 20_000, interval: 500 })
        .toBeGreaterThan(PIDS_LIMIT / 2);
      expect(dockerStats(playgroundId).pids).toBeLessThanOrEqual(PIDS_LIMIT);
      // Another reader is unaffected.
      await inSession('10.0.0.9', async (other) => {
        expect((await server.run('docker run --rm busybox echo alive', other)).stdout.trim()).toBe('alive');
      });
      // The inner containers' share of the limit leaves room for the reader to stop the bomb.
      const recovered = await server.run(
        'docker rm -f bomb >/dev/null && docker run --rm busybox echo recovered',
        session,
      );
      expect(recovered.stdout.trim()).toBe('recovered');
    });
  });

  it('ends a fork bomb in the reader’s own shell at the run’s time limit, and the session goes on', async () => {
    await inSession('10.0.0.10', async (session) => {
      // The shell stays (retrying its forks) until the time limit stops the run with all it started.
      const bomb = await server.run('exec 2>/dev/null; b() { b | b & }; b; sleep 60', session);
      expect(bomb.timedOut).toBe(true);
      const after = await server.run(
        'ps -e -o comm | grep -c "^bash$"; docker run --rm busybox echo recovered',
        session,
      );
      expect(after.stdout.trim().split('\n')).toEqual(['1', 'recovered']);
    });
  });

  it('kills a memory hog inside the playground, in the reader’s shell or an inner container; the playground lives on', async () => {
    await inSession('10.0.0.13', async (session) => {
      const shell = await server.run('tail /dev/zero; echo exit=$?', session);
      expect(shell.stdout.trim()).toBe('exit=137');
      expect(shell.oomKilled).toBe(true);
      const inner = await server.run(
        [
          'docker run --name hog busybox tail /dev/zero',
          'docker inspect -f "{{.State.OOMKilled}} {{.State.ExitCode}}" hog',
          'docker run --rm busybox echo alive',
        ].join('; '),
        session,
      );
      expect(inner.stdout.trim().split('\n')).toEqual(['true 137', 'alive']);
    });
  });

  it('lets root write where root on a Docker host can: /srv, /data, /opt, /home, /etc, a new top-level directory', async () => {
    await inSession('10.0.0.11', async (session) => {
      const result = await server.run(
        [
          'mkdir -p /srv/data /data /opt/app /home/alice /etc/myapp /b',
          'echo kept > /srv/data/file && echo "10.9.8.7 db" >> /etc/hosts && echo conf > /etc/myapp/app.conf',
          'cat /srv/data/file /etc/myapp/app.conf && grep -c "10.9.8.7 db" /etc/hosts',
          'docker run --rm -v /srv/data:/data busybox cat /data/file',
        ].join(' && '),
        session,
      );
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toEqual(['kept', 'conf', '1', 'kept']);
    });
  });

  it('counts every writable path against the disk quota: each fill ends in ENOSPC, the host’s disk is untouched, the session goes on', async () => {
    await inSession('10.0.0.14', async (session) => {
      const { playgroundId } = server.sessions.get(session);
      const attemptMib = DISK_LIMIT_MIB * 4;
      const dd = (file: string) =>
        `dd if=/dev/zero of=${file} bs=1M count=${attemptMib} 2>&1 | grep -o 'No space left on device'`;
      // [what, fill, clean-up]
      const fills: Array<[string, string, string]> = [
        ['a new top-level directory', `mkdir -p /fill && ${dd('/fill/f')}`, 'rm -rf /fill'],
        ['/srv', `mkdir -p /srv/data && ${dd('/srv/data/f')}`, 'rm -f /srv/data/f'],
        ['/var/tmp', dd('/var/tmp/f'), 'rm -f /var/tmp/f'],
        ['/etc/docker', `mkdir -p /etc/docker && ${dd('/etc/docker/f')}`, 'rm -f /etc/docker/f'],
        ['/tmp', dd('/tmp/f'), 'rm -f /tmp/f'],
        ['/root', dd('/root/f'), 'rm -f /root/f'],
        ['/usr', dd('/usr/f'), 'rm -f /usr/f'],
        [
          'an inner container’s layer',
          `docker run --name filler busybox sh -c "${dd('/f')}"`,
          'docker rm -f filler >/dev/null',
        ],
        [
          'a volume',
          `docker run --rm -v fill:/v busybox sh -c "${dd('/v/f')}"`,
          'docker volume rm fill >/dev/null',
        ],
      ];
      const hostFreeBefore = hostDockerFreeBytes();
      for (const [what, fill, cleanUp] of fills) {
        const filled = await server.run(fill, session);
        expect(filled.stdout, what).toContain('No space left on device');
        const dropMib = (hostFreeBefore - hostDockerFreeBytes()) / MIB;
        expect(dropMib, `host disk after filling ${what}`).toBeLessThan(DISK_LIMIT_MIB);
        expect(await server.run(cleanUp, session), what).toMatchObject({ exitCode: 0 });
      }
      // Nothing reached the playground container's own writable layer on the host.
      const sizeRw = Number(
        execFileSync('docker', ['inspect', '--size', '-f', '{{.SizeRw}}', playgroundId], {
          encoding: 'utf8',
        }),
      );
      expect(sizeRw).toBeLessThan(MIB);
      const after = await server.run(
        'echo ok > /srv/after && cat /srv/after && docker run --rm busybox echo alive',
        session,
      );
      expect(after.stdout.trim().split('\n')).toEqual(['ok', 'alive']);
    });
  });

  it('takes every container and process with it when the session ends', async () => {
    const marker = 100_000 + Math.floor(Math.random() * 800_000);
    const session = await server.newSession('10.0.0.12');
    const { playgroundId } = server.sessions.get(session);
    const started = await server.run(
      `docker run -d --name web nginx >/dev/null && docker run -d --name loop busybox sleep ${marker} >/dev/null && docker ps -q | wc -l`,
      session,
    );
    expect(started.stdout.trim()).toBe('2');
    const hostProcesses = () =>
      execFileSync('sh', ['-c', `pgrep -f '^sleep ${marker}$' | wc -l`], { encoding: 'utf8' }).trim();
    expect(hostProcesses()).toBe('1');

    expect(await server.deleteSession(session)).toBe(204);
    expect((await server.containersOfThisServer()).map((c) => c.id)).not.toContain(playgroundId);
    expect(hostProcesses()).toBe('0');
    const gone = await server.app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'docker', code: 'docker ps', session },
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().message).toMatch(/start a new session/);
  });

  it('answers 50 concurrent session requests with 201s up to the limit and 429s, leaking nothing', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.app.inject({
          method: 'POST',
          url: '/api/sessions',
          remoteAddress: `10.1.0.${i % 25}`,
          payload: {},
        }),
      ),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(SESSION_LIMIT);
    const refused = responses.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(50 - SESSION_LIMIT);
    expect(refused[0]?.headers['retry-after']).toMatch(/^\d+$/);
    for (const response of created) {
      expect(await server.deleteSession(response.json().id)).toBe(204);
    }
    expect(server.sessions.size).toBe(0);
    // Only the warm pool's playgrounds remain: ready or still booting, none in use.
    const playgrounds = (await server.containersOfThisServer()).filter(
      (c) => c.labels['dockyard.role'] === PLAYGROUND_ROLE,
    );
    const { ready, starting, inUse } = server.pool.health();
    expect(inUse).toBe(0);
    expect(playgrounds.length).toBe(ready + starting);
    expect(playgrounds.length).toBeLessThanOrEqual(server.config.playgroundPoolSize + 2);
  });

  it('leaves no container behind when the server closes', async () => {
    await server.app.close();
    expect(await server.containersOfThisServer()).toEqual([]);
  });
});
