/**
 * The real server (buildSandbox with the real Docker engine, shell runner only), listening on
 * a free port, for integration tests; and checks that a run left nothing
 * behind.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildSandbox } from '../../../sandbox-server/src/app.ts';
import { type Config, loadConfig } from '../../../sandbox-server/src/config.ts';
import type { Containers } from '../../../sandbox-server/src/docker/containers.ts';
import { DockerEngine } from '../../../sandbox-server/src/docker/engine.ts';
import { instanceFilter, newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import type { ShellRunner } from '../../../sandbox-server/src/runners/shell-runner.ts';
import type { RunResult } from '../../../sandbox-server/src/runs/run-result.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';

export interface Harness {
  app: FastifyInstance;
  url: string;
  config: Config;
  engine: DockerEngine;
  containers: Containers;
  shell: ShellRunner;
  run(code: string): Promise<RunResult>;
  /** Every labelled container of this server is a warm, unused pool container — nothing leaked. */
  expectNoLeftovers(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const port = await freePort();
  const config = loadConfig({
    LOG_LEVEL: 'error',
    RATE_LIMIT_MAX: '10000',
    SHELL_POOL_SIZE: '2',
    // Reached over HTTP at 127.0.0.1:<port>, and with app.inject's default Host.
    PORT: String(port),
    PUBLIC_HOSTS: `127.0.0.1:${port},localhost:80`,
    ...env,
  });
  const engine = new DockerEngine({
    socketPath: config.dockerSocketPath,
    callTimeoutMs: config.dockerCallTimeoutMs,
  });
  const sandbox = await buildSandbox({
    config,
    engine,
    identity: newInstanceIdentity(),
    runners: { shell: true, docker: false },
    serveSite: false,
  });
  const { app, containers } = sandbox;
  const shell = sandbox.shell as ShellRunner;
  const url = await app.listen({ host: '127.0.0.1', port });
  await waitFor(() => shell.health().ready === config.shellPoolSize, 60_000, 'the warm pool to fill');
  const mine = () => engine.listContainers([instanceFilter(containers.instance)]);

  return {
    app,
    url,
    config,
    engine,
    containers,
    shell,
    async run(code) {
      const response = await fetch(`${url}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ runner: 'shell', code }),
      });
      const body = await response.text();
      expect(response.status, body).toBe(200);
      return JSON.parse(body) as RunResult;
    },
    async expectNoLeftovers() {
      await expect
        .poll(
          async () => {
            const { ready, inUse } = shell.health();
            const running = (await mine()).filter((c) => c.state === 'running').length;
            return { inUse, labelled: (await mine()).length, running, ready };
          },
          { timeout: 15_000, interval: 200 },
        )
        .toSatisfy(
          (s: { inUse: number; labelled: number; running: number; ready: number }) =>
            s.inUse === 0 && s.labelled === s.ready && s.running === s.ready,
        );
    },
    async close() {
      await app.close();
      expect(await mine()).toEqual([]);
    },
  };
}

/** Polls outside a test (hooks), where expect.poll is not available. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
