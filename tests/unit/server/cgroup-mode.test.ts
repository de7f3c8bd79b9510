import { afterEach, describe, expect, it } from 'vitest';
import { cgroupModeFromInfo, describeCgroupMode } from '../../../sandbox-server/src/docker/cgroup-mode.ts';
import { FakeEngine } from './fakes/fake-engine.ts';
import { buildTestApp, type TestApp } from './fakes/test-app.ts';

let t: TestApp | undefined;

afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('the engine host’s cgroup mode', () => {
  it('is read from the engine’s info answer: v1, v2 (unified) or not reported', () => {
    expect(cgroupModeFromInfo({ CgroupVersion: '1', CgroupDriver: 'cgroupfs' })).toEqual({
      version: 1,
      driver: 'cgroupfs',
    });
    expect(cgroupModeFromInfo({ CgroupVersion: '2', CgroupDriver: 'systemd' })).toEqual({
      version: 2,
      driver: 'systemd',
    });
    // Engines before API 1.40 leave both fields out; anything else is not a version this server knows.
    expect(cgroupModeFromInfo({})).toEqual({ version: null, driver: null });
    expect(cgroupModeFromInfo({ CgroupVersion: '3', CgroupDriver: '' })).toEqual({
      version: null,
      driver: null,
    });
  });

  it('is described in one phrase for the start-up log', () => {
    expect(describeCgroupMode({ version: 2, driver: 'systemd' })).toBe(
      'cgroup v2 (unified hierarchy, systemd driver)',
    );
    expect(describeCgroupMode({ version: 1, driver: 'cgroupfs' })).toBe(
      'cgroup v1 (one hierarchy per controller, cgroupfs driver)',
    );
    expect(describeCgroupMode({ version: null, driver: null })).toMatch(/not reported by the engine/);
  });

  it('shows in the health details (with the versions) and in the metrics', async () => {
    const engine = new FakeEngine();
    engine.cgroup = { version: 2, driver: 'systemd' };
    t = await buildTestApp({ HEALTH_SHOW_VERSIONS: 'true' }, { engine });
    const health = (await t.app.inject({ url: '/api/health/ready' })).json();
    expect(health.docker.cgroup).toEqual({ version: 2, driver: 'systemd' });
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^dockyard_engine_cgroup_version 2$/m);
  });

  it('stays out of the public health answer unless versions are shown', async () => {
    t = await buildTestApp();
    const health = (await t.app.inject({ url: '/api/health/ready' })).json();
    expect(health.docker).toEqual({ reachable: true });
  });
});
