import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, loadConfig } from '../../../sandbox-server/src/config.ts';

const ENV_EXAMPLE = join(import.meta.dirname, '..', '..', '..', '.env.example');

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
    expect(loadConfig({ RUN_TIMEOUT_MS: '2500', TRUST_PROXY: '1' })).toMatchObject({
      runTimeoutMs: 2500,
      trustProxy: 1,
    });
  });

  it('takes TRUST_PROXY as false, a hop count or proxy addresses, never "trust everything"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would believe/);
  });

  it('keeps sign-in tokens only as digests and refuses weak or missing ones', () => {
    const config = loadConfig({ AUTH_MODE: 'token', AUTH_TOKENS: 'alice:0123456789abcdef0123' });
    expect([...config.authTokenHashes.keys()]).toEqual(['alice']);
    expect(JSON.stringify([...config.authTokenHashes.values()])).not.toContain('0123456789abcdef0123');
    expect(() => loadConfig({ AUTH_MODE: 'token' })).toThrow(/AUTH_TOKENS/);
    expect(() => loadConfig({ AUTH_MODE: 'token', AUTH_TOKENS: 'bob:short' })).toThrow(/at least 16/);
    expect(() => loadConfig({ AUTH_MODE: 'proxy', TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY to list/);
  });

  it('bounds the shell and the playground wall times separately', () => {
    expect(loadConfig({ RUN_TIMEOUT_MS: '5000', PLAYGROUND_RUN_TIMEOUT_MS: '600000' })).toMatchObject({
      runTimeoutMs: 5000,
      playgroundRunTimeoutMs: 600_000,
    });
    expect(() => loadConfig({ PLAYGROUND_RUN_TIMEOUT_MS: '7200000' })).toThrow(/PLAYGROUND_RUN_TIMEOUT_MS/);
  });

  it('takes a preview origin only as scheme://host[:port], and only with a fixed preview port', () => {
    expect(loadConfig({ PREVIEW_PORT: '8443', PREVIEW_ORIGIN: 'https://preview.team.test' })).toMatchObject({
      previewPort: 8443,
      previewOrigin: 'https://preview.team.test',
    });
    expect(() => loadConfig({ PREVIEW_ORIGIN: 'https://preview.team.test' })).toThrow(/PREVIEW_PORT is 0/);
    expect(() =>
      loadConfig({ PREVIEW_PORT: '8443', PREVIEW_ORIGIN: 'https://preview.team.test/path' }),
    ).toThrow(/PREVIEW_ORIGIN/);
  });

  it('takes a NODE_ID that fits beside a preview token in one DNS label, and says why a longer one does not', () => {
    expect(loadConfig({ NODE_ID: 'n'.repeat(30) }).nodeId).toBe('n'.repeat(30));
    expect(() => loadConfig({ NODE_ID: 'n'.repeat(31) })).toThrow(
      /NODE_ID has 31 characters, at most 30 fit: a preview link's first host label/,
    );
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

  it('.env.example lists exactly the schema’s variables, each with its default', () => {
    const lines = readFileSync(ENV_EXAMPLE, 'utf8').split('\n');
    const example = new Map(
      lines
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    const properties = EnvSchema.properties as Record<string, { machineDependent?: boolean }>;
    expect([...example.keys()].sort()).toEqual(Object.keys(properties).sort());
    const defaults = Value.Default(EnvSchema, {}) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(properties)) {
      if (schema.machineDependent) continue;
      expect(example.get(name), name).toBe(String(defaults[name]));
    }
  });
});
