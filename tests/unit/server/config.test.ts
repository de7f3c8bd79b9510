import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../sandbox-server/src/config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4321,
      runTimeoutMs: 10_000,
      playgroundRunTimeoutMs: 180_000,
      runOutputLimitBytes: 65_536,
      runMemoryLimitMib: 128,
      runPidsLimit: 64,
      runCodeLimitBytes: 16_384,
      requestBodyLimitBytes: 65_536,
    });
  });

  it('converts and bounds values', () => {
    expect(loadConfig({ RUN_TIMEOUT_MS: '2500', TRUST_PROXY: 'true' })).toMatchObject({
      runTimeoutMs: 2500,
      trustProxy: true,
    });
  });

  it('bounds the shell and the playground wall times separately', () => {
    expect(loadConfig({ RUN_TIMEOUT_MS: '5000', PLAYGROUND_RUN_TIMEOUT_MS: '600000' })).toMatchObject({
      runTimeoutMs: 5000,
      playgroundRunTimeoutMs: 600_000,
    });
    expect(() => loadConfig({ PLAYGROUND_RUN_TIMEOUT_MS: '7200000' })).toThrow(/PLAYGROUND_RUN_TIMEOUT_MS/);
  });

  it('names every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'http', RUN_PIDS_LIMIT: '1', SANDBOX_RUNTIME: 'kata' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'http', RUN_PIDS_LIMIT: '1', SANDBOX_RUNTIME: 'kata' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('RUN_PIDS_LIMIT');
      expect(message).toContain('SANDBOX_RUNTIME');
    }
  });
});
