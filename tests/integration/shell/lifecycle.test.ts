/**
 * The server's life around runs, against the real engine: clients that go
 * away, an engine that goes away, SIGTERM, the reaper, and gVisor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as socketConnect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerEngine } from '../../../sandbox-server/src/docker/engine.ts';
import { instanceLabels, LABEL_PID } from '../../../sandbox-server/src/docker/labels.ts';
import { serverNodeArguments } from '../../../sandbox-server/src/server-command.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { startCanary } from '../../support/canary.ts';
import { type Harness, startHarness } from './harness.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DOCKER_SOCKET = '/var/run/docker.sock';
const engine = new DockerEngine({ socketPath: DOCKER_SOCKET, callTimeoutMs: 15_000 });

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a client that disconnects mid-run', () => {
  it('gets its container killed and removed', async () => {
    h = await startHarness();
    const harness = h;
    const controller = new AbortController();
    const request = fetch(`${harness.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runner: 'shell', code: 'sleep 1000' }),
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => harness.shell.health().inUse).toBe(1);
    controller.abort();
    await request;
    await harness.expectNoLeftovers();
  });
});

describe('load limits, attacked', () => {
  const runShell = (url: string, code: string) =>
    fetch(`${url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runner: 'shell', code }),
    });

  it('concurrency: runs beyond the slots and the bounded queue get 429 with Retry-After; the rest run', async () => {
    h = await startHarness({ RUN_CONCURRENCY: '1', RUN_QUEUE_LIMIT: '1', SHELL_POOL_SIZE: '1' });
    const url = h.url;
    const responses = await Promise.all([1, 2, 3, 4].map(() => runShell(url, 'sleep 1; echo done')));
    const byStatus = Map.groupBy(responses, (response) => response.status);
    expect(byStatus.get(200)).toHaveLength(2);
    expect(byStatus.get(429)).toHaveLength(2);
    for (const response of byStatus.get(200) ?? []) expect((await response.json()).stdout).toBe('done\n');
    for (const response of byStatus.get(429) ?? []) {
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect((await response.json()).message).toMatch(/too many runs in progress/);
    }
    await h.expectNoLeftovers();
  });

  it('per client: requests beyond the rate limit get 429 with Retry-After and start nothing', async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '3', SHELL_POOL_SIZE: '1' });
    for (let i = 0; i < 3; i++) expect((await runShell(h.url, 'echo hi')).status).toBe(200);
    const limited = await runShell(h.url, 'echo hi');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await limited.json()).message).toMatch(/rate limit of 3 requests/);
    // Monitors are not limited.
    expect((await fetch(`${h.url}/api/health`)).status).toBe(200);
    await h.expectNoLeftovers();
  });
});

describe('an engine that goes away', () => {
  /** A unix socket in front of the engine, which the test can cut like an engine restart. */
  class EngineProxy {
    readonly path = join(tmpdir(), `dockyard-engine-proxy-${process.pid}.sock`);
    #server: Server | undefined;
    readonly #sockets = new Set<Socket>();

    async open(): Promise<void> {
      rmSync(this.path, { force: true });
      // Half-open like the engine's own socket: a client that closes stdin still reads the output.
      this.#server = createServer({ allowHalfOpen: true }, (client) => {
        const upstream = socketConnect({ path: DOCKER_SOCKET, allowHalfOpen: true });
        for (const s of [client, upstream]) {
          this.#sockets.add(s);
          s.on('close', () => this.#sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => this.#server?.listen(this.path, resolve));
    }

    async cut(): Promise<void> {
      const closed = new Promise<void>((resolve) => this.#server?.close(() => resolve()));
      for (const s of this.#sockets) s.destroy();
      await closed;
    }
  }

  it('answers 503 mid-run (no hang), health says so, and recovers when it is back', async () => {
    const proxy = new EngineProxy();
    await proxy.open();
    h = await startHarness({ DOCKER_SOCKET_PATH: proxy.path, SHELL_POOL_SIZE: '1' });
    const harness = h;
    const run = harness.app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'shell', code: 'echo started; sleep 1000' },
    });
    await expect.poll(() => harness.shell.health().inUse).toBe(1);
    await proxy.cut();
    const response = await run;
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toMatch(/Docker engine unreachable/);

    const health = await harness.app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'unavailable', docker: { reachable: false } });
    const refused = await harness.app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'shell', code: 'echo hi' },
    });
    expect(refused.statusCode).toBe(503);

    await proxy.open();
    await expect
      .poll(async () => (await harness.app.inject({ url: '/api/health' })).statusCode, { timeout: 40_000 })
      .toBe(200);
    expect(await harness.run('echo back')).toMatchObject({ stdout: 'back\n', exitCode: 0 });
    // The cut-off run's container could not be removed while the engine was away: close removes it now.
    await harness.close();
    h = undefined;
    await proxy.cut();
  });

  it('starts without an engine: runs and health answer 503, never hang', async () => {
    h = await startHarness({ DOCKER_SOCKET_PATH: '/nonexistent/docker.sock', SHELL_POOL_SIZE: '0' });
    const run = await h.app.inject({
      method: 'POST',
      url: '/api/run',
      payload: { runner: 'shell', code: 'true' },
    });
    expect(run.statusCode).toBe(503);
    expect(run.json().message).toMatch(/Docker engine unreachable/);
    const health = await h.app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().reason).toMatch(/Docker engine unreachable/);
    await h.app.close();
    h = undefined;
  });
});

describe('start-up and shutdown', () => {
  it('reaps containers left behind by a server that died', async () => {
    const deadPid = 4_194_305;
    const orphan = await engine.createContainer({
      Image: 'dockyard/shell:latest',
      Cmd: ['sleep', 'infinity'],
      Labels: instanceLabels({ id: 'dead-server', host: hostname(), pid: deadPid }, 'shell'),
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    await engine.startContainer(orphan);
    h = await startHarness({ SHELL_POOL_SIZE: '0' });
    await expect.poll(async () => engine.inspectContainer(orphan), { timeout: 15_000 }).toBeNull();
  });

  it('SIGTERM kills and removes every running container, then exits', async () => {
    const port = await freePort();
    const server: ChildProcess = spawn(process.execPath, serverNodeArguments(ROOT), {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        SHELL_POOL_SIZE: '2',
        // This test is about shell sandboxes; booting a playground would only slow it down.
        PLAYGROUND_POOL_SIZE: '0',
        SITE_DIR: join(ROOT, 'no-site-here'),
        // No drain window: the runs in flight are stopped at once (tests/cluster/ covers draining).
        DRAIN_TIMEOUT_MS: '0',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const serverContainers = () => engine.listContainers([`${LABEL_PID}=${server.pid}`]);
    /** The shell pool as the server's /api/health reports it; undefined while it does not answer. */
    const shellPool = () =>
      fetch(`http://127.0.0.1:${port}/api/health`)
        .then((r) => r.json())
        .then((body: { pools?: { shell?: { ready?: number; inUse?: number } } }) => body.pools?.shell)
        .catch(() => undefined);
    try {
      await expect.poll(async () => (await shellPool())?.ready, { timeout: 60_000, interval: 200 }).toBe(2);
      const runs = [1, 2].map(() =>
        fetch(`http://127.0.0.1:${port}/api/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ runner: 'shell', code: 'sleep 1000' }),
        }).catch(() => undefined),
      );
      // Both runs hold a container: the SIGTERM below lands in the middle of them.
      await expect.poll(async () => (await shellPool())?.inUse, { timeout: 15_000, interval: 100 }).toBe(2);
      expect((await serverContainers()).length).toBeGreaterThanOrEqual(2);
      const signalledMs = performance.now();
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The runs in flight were stopped, not waited for.
      expect(performance.now() - signalledMs).toBeLessThan(10_000);
      await Promise.all(runs);
      expect(await serverContainers()).toEqual([]);
    } finally {
      server.kill('SIGKILL');
    }
  });
});

describe('gVisor', () => {
  it('runs snippets under runsc with the same limits', async () => {
    h = await startHarness({ SANDBOX_RUNTIME: 'runsc', SHELL_POOL_SIZE: '1', RUN_TIMEOUT_MS: '5000' });
    // gVisor's own kernel answers, not the host's.
    const hostKernel = (await import('node:os')).release();
    const kernel = await h.run('uname -r; id -u');
    expect(kernel.stdout).not.toContain(hostKernel);
    expect(kernel.stdout).toMatch(/\n1000\n$/);
    const canary = await startCanary();
    const probe = await h.run(`(echo > /dev/tcp/${canary.address}/${canary.port}) 2>&1 | tail -1`);
    await canary.close();
    expect(probe.stdout).toMatch(/unreachable|refused|denied|no route/i);
    expect(canary.contacts()).toBe(0);
    // The sentry's own threads count against the pids cgroup: a pipeline must not starve it.
    expect(await h.run('head -c 10 /dev/zero | wc -c')).toMatchObject({ stdout: '10\n', exitCode: 0 });
    expect((await h.run('x=a; while true; do x=$x$x; done')).oomKilled).toBe(true);
    expect(await h.run('sleep 999 & echo bg; exit 2')).toMatchObject({
      stdout: 'bg\n',
      exitCode: 2,
      timedOut: false,
    });
    await h.expectNoLeftovers();
  });
});
