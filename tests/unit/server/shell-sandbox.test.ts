import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../sandbox-server/src/config.ts';
import { SANDBOX_ENV, shellContainerOptions } from '../../../sandbox-server/src/runners/shell-sandbox.ts';
import { SNIPPET_WRAPPER } from '../../../sandbox-server/src/runs/snippet-protocol.ts';

describe('shell sandbox container options', () => {
  const config = loadConfig({});
  const options = shellContainerOptions(config, 'runc');
  const host = options.HostConfig ?? {};

  it('locks the container down', () => {
    expect(options.User).toBe('1000:1000');
    expect(host).toMatchObject({
      Runtime: 'runc',
      Init: true,
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Memory: 128 * 1024 * 1024,
      MemorySwap: 128 * 1024 * 1024,
      PidsLimit: 64,
      NanoCpus: 1_000_000_000,
      LogConfig: { Type: 'none', Config: {} },
    });
    expect(host.Privileged).toBeUndefined();
    expect(host.CapAdd).toBeUndefined();
    expect(Object.keys(host.Tmpfs ?? {}).sort()).toEqual(['/home/sandbox', '/tmp']);
    expect(host.Tmpfs?.['/tmp']).toContain(`size=${16 * 1024 * 1024}`);
  });

  it('leaves gVisor’s own threads room under the pids limit', () => {
    const gvisor = shellContainerOptions(config, 'runsc').HostConfig ?? {};
    expect(gvisor.Runtime).toBe('runsc');
    expect(gvisor.PidsLimit).toBe(64 + 128);
  });

  it('mounts nothing from the host, least of all the Docker socket', () => {
    expect(host.Binds).toBeUndefined();
    expect(host.Mounts).toBeUndefined();
    expect(host.Devices).toBeUndefined();
    expect(JSON.stringify(options)).not.toContain('docker.sock');
  });

  it('gives the container only its own fixed environment', () => {
    expect(options.Env).toEqual([...SANDBOX_ENV]);
    expect(SANDBOX_ENV.every((entry) => /^(PATH|HOME|USER|LANG|TERM)=/.test(entry))).toBe(true);
  });

  it('waits for its one snippet on a stdin that closes after it', () => {
    expect(options.Cmd).toEqual([SNIPPET_WRAPPER]);
    expect(options).toMatchObject({ OpenStdin: true, StdinOnce: true, Tty: false });
  });
});
