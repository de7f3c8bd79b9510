import { describe, expect, it } from 'vitest';
import {
  capacityDefaults,
  engineCapacity,
  localCapacity,
  RESERVED_MEMORY_MIB,
  SESSION_MEMORY_BUDGET_MIB,
} from '../../../sandbox-server/src/capacity-defaults.ts';
import { loadConfig } from '../../../sandbox-server/src/config.ts';

const GIB = 1024;

describe('capacityDefaults', () => {
  it('gives a 2-core, 24 GiB host ten times the four playgrounds of the fixed default (cores bind)', () => {
    expect(capacityDefaults({ cores: 2, memoryMib: 24 * GIB })).toEqual({
      SESSION_LIMIT: 40,
      PLAYGROUND_POOL_SIZE: 1,
      SHELL_POOL_SIZE: 4,
      RUN_CONCURRENCY: 4,
      RUN_QUEUE_LIMIT: 8,
    });
  });

  it('lets memory bind where it is short: (memory - reserve) / budget', () => {
    const memoryMib = 8 * GIB;
    expect(capacityDefaults({ cores: 8, memoryMib }).SESSION_LIMIT).toBe(
      Math.floor((memoryMib - RESERVED_MEMORY_MIB) / SESSION_MEMORY_BUDGET_MIB),
    );
    expect(capacityDefaults({ cores: 8, memoryMib }).SESSION_LIMIT).toBe(12);
    expect(capacityDefaults({ cores: 64, memoryMib: 64 * GIB }).SESSION_LIMIT).toBe(124);
  });

  it('grows pools and run slots with the cores, within their bounds', () => {
    expect(capacityDefaults({ cores: 8, memoryMib: 64 * GIB })).toMatchObject({
      SESSION_LIMIT: 124,
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
      sessionLimit: 124,
      playgroundPoolSize: 4,
      shellPoolSize: 4,
      runConcurrency: 16,
      runQueueLimit: 32,
    });
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
