import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { Containers } from '../../../sandbox-server/src/docker/containers.ts';
import {
  instanceLabels,
  newInstanceIdentity,
  persistedInstanceIdentity,
} from '../../../sandbox-server/src/docker/labels.ts';
import { Reaper } from '../../../sandbox-server/src/docker/reaper.ts';
import { FakeEngine } from './fakes/fake-engine.ts';

const silent = { info() {}, warn() {} } as unknown as FastifyBaseLogger;
/** A pid that cannot belong to a live process (above Linux's pid_max limit). */
const DEAD_PID = 4_194_305;

describe('Reaper', () => {
  it('removes untracked and orphaned containers, and nothing anyone is responsible for', async () => {
    const engine = new FakeEngine();
    const containers = new Containers(engine, newInstanceIdentity());
    const tracked = await containers.create('shell', { Image: 'x' });
    const self = containers.instance;
    const lost = engine.addForeign('lost', instanceLabels(self, 'shell'));
    const orphan = engine.addForeign(
      'orphan',
      instanceLabels({ id: 'dead', host: hostname(), pid: DEAD_PID }, 'shell'),
    );
    const liveOther = engine.addForeign(
      'live',
      instanceLabels({ id: 'other', host: hostname(), pid: 1 }, 'shell'),
    );
    const otherHost = engine.addForeign(
      'remote',
      instanceLabels({ id: 'r', host: 'elsewhere', pid: DEAD_PID }, 'x'),
    );
    const unlabelled = engine.addForeign('someone-elses', {});

    const reaper = new Reaper({ engine, containers, intervalMs: 60_000, log: silent });
    expect(await reaper.reapOnce()).toBe(2);
    expect(engine.removed.sort()).toEqual([lost, orphan].sort());
    expect([...engine.containers.keys()].sort()).toEqual([tracked, liveOther, otherHost, unlabelled].sort());
  });

  it('tracks a container before its create has answered, so a pass during creation spares it', async () => {
    const engine = new FakeEngine();
    let answer: () => void = () => {};
    engine.createAnswerHeld = new Promise((resolve) => {
      answer = resolve;
    });
    const containers = new Containers(engine, newInstanceIdentity());
    const creating = containers.create('shell', { Image: 'x' });
    const reaper = new Reaper({ engine, containers, intervalMs: 60_000, log: silent });
    // The engine lists the labelled container while the server still waits for the create's answer.
    await expect.poll(() => engine.containers.size).toBe(1);
    const [listed] = await engine.listContainers([]);
    expect(listed?.labels['dockyard.instance']).toBe(containers.instance.id);
    expect(await reaper.reapOnce()).toBe(0);
    answer();
    const id = await creating;
    expect(engine.containers.has(id)).toBe(true);
    expect(engine.removed).toEqual([]);
  });

  it('retries a failed removal with a back-off that doubles, and stops once it succeeds', async () => {
    const engine = new FakeEngine();
    let nowMs = 0;
    const containers = new Containers(engine, newInstanceIdentity(), () => nowMs);
    const id = await containers.create('shell', { Image: 'x' });
    engine.removeFailure = new Error('engine timed out');
    await containers.destroy(id);
    expect([containers.failedRemovals, containers.isTracked(engine.containers.get(id)?.name ?? '')]).toEqual([
      1,
      true,
    ]);
    // Not due before its back-off (1 s), then due; the second failure waits twice as long.
    expect(await containers.retryDueRemovals()).toBe(0);
    nowMs = 1_000;
    expect(await containers.retryDueRemovals()).toBe(1);
    nowMs = 2_999;
    expect(await containers.retryDueRemovals()).toBe(0);
    engine.removeFailure = undefined;
    nowMs = 3_000;
    expect(await containers.retryDueRemovals()).toBe(1);
    expect([containers.failedRemovals, containers.count, engine.containers.has(id)]).toEqual([0, 0, false]);
  });

  it('reaps the containers of its predecessor when restarted with the same persisted identity', async () => {
    const engine = new FakeEngine();
    const file = join(mkdtempSync(join(tmpdir(), 'dockyard-instance-')), 'state', 'instance-id');
    // As in a container: pid 1 before and after the restart, on a host name that changed.
    const before = { ...persistedInstanceIdentity(file), pid: 1, host: 'container-a' };
    const orphan = engine.addForeign('orphan', instanceLabels(before, 'shell'));
    const after = { ...persistedInstanceIdentity(file), pid: 1, host: 'container-b' };
    expect(after.id).toBe(before.id);
    const reaper = new Reaper({
      engine,
      containers: new Containers(engine, after),
      intervalMs: 60_000,
      log: silent,
    });
    expect(await reaper.reapOnce()).toBe(1);
    expect(engine.removed).toEqual([orphan]);
  });

  it('spares containers of a live process on this host that shares its identity file by mistake', async () => {
    const engine = new FakeEngine();
    const self = newInstanceIdentity();
    // pid 1 is alive on every Linux host.
    engine.addForeign('neighbour', instanceLabels({ ...self, pid: 1 }, 'shell'));
    const reaper = new Reaper({
      engine,
      containers: new Containers(engine, self),
      intervalMs: 60_000,
      log: silent,
    });
    expect(await reaper.reapOnce()).toBe(0);
  });

  it('destroyAll kills and removes every tracked container', async () => {
    const engine = new FakeEngine();
    const containers = new Containers(engine, newInstanceIdentity());
    await Promise.all([containers.create('shell', {}), containers.create('shell', {})]);
    await containers.destroyAll();
    expect(engine.containers.size).toBe(0);
    expect(containers.count).toBe(0);
  });
});
