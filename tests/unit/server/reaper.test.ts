import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { Containers } from '../../../sandbox-server/src/docker/containers.ts';
import { instanceLabels, newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
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

  it('tracks a container before it exists, so a pass during creation spares it', async () => {
    const engine = new FakeEngine();
    engine.createDelayMs = 50;
    const containers = new Containers(engine, newInstanceIdentity());
    const creating = containers.create('shell', { Image: 'x' });
    const reaper = new Reaper({ engine, containers, intervalMs: 60_000, log: silent });
    await new Promise((r) => setTimeout(r, 60));
    expect(await reaper.reapOnce()).toBe(0);
    const id = await creating;
    expect(engine.containers.has(id)).toBe(true);
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
