import { describe, expect, it } from 'vitest';
import {
  capacityDefaults,
  DEFAULT_PLAYGROUND_MEMORY_MIB,
  engineCapacity,
  localCapacity,
  RESERVED_MEMORY_MIB,
} from '../../../sandbox-server/src/capacity-defaults.ts';
import { loadConfig } from '../../../sandbox-server/src/config.ts';

const GIB = 1024;

describe('capacityDefaults', () => {
  it('gives a 2-core, 24 GiB host as many playgrounds as fit at their full memory limit (memory binds)', () => {
    expect(capacityDefaults({ cores: 2, memoryMib: 24 * GIB })).toEqual({
      SESSION_LIMIT: 14,
      PLAYGROUND_POOL_SIZE: 1,
      SHELL_POOL_SIZE: 4,
      RUN_CONCURRENCY: 4,
      RUN_QUEUE_LIMIT: 8,
    });
  });

  it('never overcommits memory: (memory - reserve) / the playground memory limit', () => {
    const memoryMib = 8 * GIB;
    expect(capacityDefaults({ cores: 8, memoryMib }).SESSION_LIMIT).toBe(
      Math.floor((memoryMib - RESERVED_MEMORY_MIB) / DEFAULT_PLAYGROUND_MEMORY_MIB),
    );
    expect(capacityDefaults({ cores: 8, memoryMib }).SESSION_LIMIT).toBe(4);
    expect(capacityDefaults({ cores: 64, memoryMib: 64 * GIB }).SESSION_LIMIT).toBe(41);
  });

  it('follows a smaller playground memory limit until the cores bind: 20 sessions a core', () => {
    expect(capacityDefaults({ cores: 2, memoryMib: 24 * GIB }, 512).SESSION_LIMIT).toBe(40);
    expect(capacityDefaults({ cores: 2, memoryMib: 24 * GIB }, 1024).SESSION_LIMIT).toBe(22);
  });

  it('grows pools and run slots with the cores, within their bounds', () => {
    expect(capacityDefaults({ cores: 8, memoryMib: 64 * GIB })).toMatchObject({
      SESSION_LIMIT: 41,
      PLAYGROUND_POOL_SIZE: 4,
      SHELL_POOL_SIZE: 4,
      RUN_CONCURRENCY: 16,
      RUN_QUEUE_LIMIT: 32,
    });
    expect(capacityDefaults({ cores: 512, memoryMib: 4096 * GIB })).toMatchObject({
      SESSION_LIMIT: 1_000,
      PLAYGROUND_POOL_SIZE: 32,
      RUN_CONCURRENCY: 256,
    });
  });

  it('still allows one session and one warm playground on a host below the reserve', () => {
    expect(capacityDefaults({ cores: 1, memoryMib: 1 * GIB })).toEqual({
      SESSION_LIMIT: 1,
      PLAYGROUND_POOL_SIZE: 1,
      SHELL_POOL_SIZE: 2,
      RUN_CONCURRENCY: 2,
      RUN_QUEUE_LIMIT: 4,
    });
    expect(capacityDefaults({ cores: 0.5, memoryMib: 0 }).SESSION_LIMIT).toBe(1);
  });

  it('takes the engine host from docker info, this host where it says nothing', () => {
    const info = { serverVersion: '28', runtimes: [], cpus: 16, memoryBytes: 32 * 1024 ** 3 };
    expect(engineCapacity(info)).toEqual({ cores: 16, memoryMib: 32 * GIB });
    expect(engineCapacity({ ...info, cpus: 0, memoryBytes: 0 })).toEqual(localCapacity());
  });
});

describe('loadConfig with a host', () => {
  it('derives the machine-dependent defaults for the given host', () => {
    expect(loadConfig({}, { cores: 8, memoryMib: 64 * GIB })).toMatchObject({
      sessionLimit: 41,
      playgroundPoolSize: 4,
      shellPoolSize: 4,
      runConcurrency: 16,
      runQueueLimit: 32,
    });
  });

  it('derives SESSION_LIMIT from the playground memory limit set in the environment', () => {
    const host = { cores: 2, memoryMib: 24 * GIB };
    expect(loadConfig({}, host).sessionLimit).toBe(14);
    expect(loadConfig({ PLAYGROUND_MEMORY_LIMIT_MIB: '512' }, host).sessionLimit).toBe(40);
  });

  it('lets a variable set in the environment win over the derived default', () => {
    const config = loadConfig(
      { SESSION_LIMIT: '4', PLAYGROUND_POOL_SIZE: '0', RUN_CONCURRENCY: '3' },
      { cores: 8, memoryMib: 64 * GIB },
    );
    expect(config).toMatchObject({
      sessionLimit: 4,
      playgroundPoolSize: 0,
      runConcurrency: 3,
      runQueueLimit: 32,
    });
  });

  it('still refuses an explicit value out of bounds', () => {
    expect(() => loadConfig({ SESSION_LIMIT: '0' }, { cores: 2, memoryMib: 24 * GIB })).toThrow(
      /SESSION_LIMIT/,
    );
  });
});
