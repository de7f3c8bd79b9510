/**
 * The session routes and the docker runner through app.inject, with the real PlaygroundPool,
 * SessionStore and DockerRunner over a FakeEngine (no Docker).
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSandbox } from '../../../sandbox-server/src/app.ts';
import {
  type Config,
  ConfigError,
  DOCKER_HUB_HOSTS,
  loadConfig,
} from '../../../sandbox-server/src/config.ts';
import { newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import { PLAYGROUND_EXEC } from '../../../sandbox-server/src/playground/playground-container.ts';
import type { SessionStore } from '../../../sandbox-server/src/playground/session-store.ts';
import { pullHint } from '../../../sandbox-server/src/runners/docker-runner.ts';
import { FakeEngine, type FakeProgram } from './fakes/fake-engine.ts';
import { parseEvents, TEST_ENV } from './fakes/test-app.ts';

interface SessionsApp {
  app: FastifyInstance;
  engine: FakeEngine;
  config: Config;
  sessions: SessionStore;
  /** The session store's clock (frozen unless advanced). */
  now(): number;
  advance(ms: number): void;
  /** Code of every playground-run exec, in the order they started. */
  runs: string[];
}

let current: SessionsApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

/** A reader's snippet run by the fake: `sleep:MS` waits, `fail:TEXT` writes TEXT to stderr and exits 1. */
const playgroundProgram =
  (runs: string[]): FakeProgram =>
  async (p) => {
    if (p.cmd[0] !== PLAYGROUND_EXEC) throw new Error(`not through ${PLAYGROUND_EXEC}: ${p.cmd.join(' ')}`);
    if (p.cmd[1] !== 'playground-run') return 0; // boot probes, playground-stop
    const code = p.cmd[3] ?? '';
    runs.push(code);
    const colon = code.indexOf(':');
    const [verb, arg] = colon === -1 ? [code, ''] : [code.slice(0, colon), code.slice(colon + 1)];
    if (verb === 'sleep') await Promise.race([new Promise((r) => setTimeout(r, Number(arg))), p.killed]);
    if (verb === 'fail') {
      p.write('stderr', arg);
      return 1;
    }
    p.write('stdout', `ran ${code}\n`);
    return 0;
  };

async function setup(env: Record<string, string> = {}, options: { withDockerRunner?: boolean } = {}) {
  let nowMs = Date.now();
  const config = loadConfig({ ...TEST_ENV, PLAYGROUND_POOL_SIZE: '1', NODE_ID: 'node-a', ...env });
  const engine = new FakeEngine();
  const runs: string[] = [];
  engine.program = playgroundProgram(runs);
  const { app, playgrounds } = await buildSandbox({
    config,
    engine,
    identity: newInstanceIdentity(),
    runners: { shell: false, docker: options.withDockerRunner ?? true },
    serveSite: false,
    sessionClock: () => nowMs,
  });
  const sessions = playgrounds?.sessions as SessionStore;
  await app.ready();
  current = {
    app,
    engine,
    config,
    sessions,
    runs,
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
  };
  return current;
}

const createSession = (app: FastifyInstance, client = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/sessions', remoteAddress: client, payload: {} });
const runAt = (app: FastifyInstance, session: string, code: string) =>
  app.inject({ method: 'POST', url: `/api/sessions/${session}/run`, payload: { code } });
const runIn = (app: FastifyInstance, session: string | undefined, code: string, headers = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/run',
    headers,
    payload: { runner: 'docker', code, ...(session === undefined ? {} : { session }) },
  });
const playgrounds = (engine: FakeEngine) =>
  [...engine.containers.values()].filter((c) => c.labels['dockyard.role'] === 'playground');

describe('POST /api/sessions', () => {
  it('answers 201 with an id and an ISO expiry, backed by a playground of its own', async () => {
    const { app, engine, now } = await setup();
    const response = await createSession(app);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'id']);
    // The node's id, then 128 random bits: a load balancer routes by the first part.
    expect(body.id).toMatch(/^node-a\.[A-Za-z0-9_-]{22}$/);
    expect(response.headers['x-dockyard-node']).toBe('node-a');
    expect(body.expiresAt).toBe(new Date(now() + 10 * 60_000).toISOString());
    // The pool refills (REPLACE_AFTER_ACQUIRE_MS later): one playground in the session, one warm.
    await expect.poll(() => playgrounds(engine).length, { timeout: 10_000 }).toBe(2);
  });

  it('creates playgrounds without --privileged, offline, with limits that cover everything inside', async () => {
    const { app, engine } = await setup({
      PLAYGROUND_MEMORY_LIMIT_MIB: '768',
      PLAYGROUND_PIDS_LIMIT: '300',
      PLAYGROUND_DISK_LIMIT_MIB: '256',
    });
    expect((await createSession(app)).statusCode).toBe(201);
    const [playground] = playgrounds(engine);
    const host = playground?.options.HostConfig;
    expect(host?.Privileged).toBeUndefined();
    expect(host?.CapAdd).toEqual(['SYS_ADMIN', 'NET_ADMIN']);
    expect(host?.SecurityOpt).not.toContainEqual(expect.stringMatching(/seccomp/));
    expect(host?.NetworkMode).toBe('none');
    expect(playground?.options.NetworkDisabled).toBe(true);
    expect(host).toMatchObject({
      Memory: 768 * 1024 * 1024,
      MemorySwap: 768 * 1024 * 1024,
      PidsLimit: 300,
      CgroupnsMode: 'private',
    });
    // Read-only image; every byte written inside lands on the one size-capped disk.
    expect(host?.ReadonlyRootfs).toBe(true);
    expect(Object.keys(host?.Tmpfs ?? {}).sort()).toEqual([
      '/var/lib/playground',
      '/var/lib/playground/disk',
    ]);
    expect(host?.Tmpfs?.['/var/lib/playground/disk']).toMatch(/size=268435456/);
    expect(host?.Mounts).toEqual([expect.objectContaining({ Source: 'dockyard-catalog', ReadOnly: true })]);
    expect(playground?.options.Env?.join('\n')).not.toMatch(/PLAYGROUND_PULL/);
  });

  it('answers 429 with Retry-After beyond the per-client and per-server limits', async () => {
    const { app } = await setup({ SESSION_LIMIT: '3', SESSION_LIMIT_PER_CLIENT: '2' });
    expect((await createSession(app, '10.0.0.1')).statusCode).toBe(201);
    expect((await createSession(app, '10.0.0.1')).statusCode).toBe(201);
    const perClient = await createSession(app, '10.0.0.1');
    expect(perClient.statusCode).toBe(429);
    expect(perClient.headers['retry-after']).toMatch(/^\d+$/);
    expect(perClient.json().message).toMatch(/this client already has 2 playground sessions/);
    expect((await createSession(app, '10.0.0.2')).statusCode).toBe(201);
    const perServer = await createSession(app, '10.0.0.3');
    expect(perServer.statusCode).toBe(429);
    expect(perServer.json().message).toMatch(/all 3 playground sessions are in use/);
  });

  it('answers 503 when the server has no playground sessions', async () => {
    const { app } = await setup({}, { withDockerRunner: false });
    const response = await createSession(app);
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toBe('docker runner not available');
  });
});

describe('DELETE /api/sessions/:id', () => {
  it('destroys the playground with everything in it, then answers 404', async () => {
    const { app, engine, sessions } = await setup();
    const { id } = (await createSession(app)).json();
    const { playgroundId } = sessions.get(id);
    const deleted = await app.inject({ method: 'DELETE', url: `/api/sessions/${id}` });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(engine.removed).toContain(playgroundId);
    const again = await app.inject({ method: 'DELETE', url: `/api/sessions/${id}` });
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toMatch(/start a new session/);
  });
});

describe('POST /api/run with runner "docker"', () => {
  it('runs in the session’s playground, through the exec wrapper, as root of its user namespace', async () => {
    const { app, engine, sessions, runs } = await setup();
    const { id } = (await createSession(app)).json();
    const response = await runIn(app, id, 'docker ps');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ stdout: 'ran docker ps\n', exitCode: 0, timedOut: false });
    expect(runs).toEqual(['docker ps']);
    const container = engine.containers.get(sessions.get(id).playgroundId);
    expect(container?.execs).toBeGreaterThanOrEqual(2); // the boot probe, then the run
  });

  it('answers 404 with a message the page can act on for an unknown or expired session', async () => {
    const { app, engine, advance } = await setup();
    const unknown = await runIn(app, `node-a.${'x'.repeat(22)}`, 'docker ps');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'session not found: it expired or was reset; start a new session (POST /api/sessions)',
    });
    const { id } = (await createSession(app)).json();
    expect((await runIn(app, id, 'echo')).statusCode).toBe(200);
    advance(10 * 60_000);
    const expired = await runIn(app, id, 'echo');
    expect(expired.statusCode).toBe(404);
    expect(expired.json().message).toMatch(/start a new session/);
    expect(engine.removed.length).toBe(0); // ends at the next sweep
  });

  it('runs one session’s snippets in the order they were sent, one at a time', async () => {
    const { app, runs } = await setup();
    const { id } = (await createSession(app)).json();
    const responses = await Promise.all([
      runIn(app, id, 'sleep:60'),
      runIn(app, id, 'sleep:1'),
      runIn(app, id, 'echo third'),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(runs).toEqual(['sleep:60', 'sleep:1', 'echo third']);
  });

  it('streams output as SSE, like the shell runner', async () => {
    const { app } = await setup();
    const { id } = (await createSession(app)).json();
    const response = await runIn(app, id, 'docker build .', { accept: 'text/event-stream' });
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    const events = parseEvents(response.body);
    expect(events[0]).toEqual(['stdout', 'ran docker build .\n']);
    expect(events.at(-1)?.[0]).toBe('exit');
    expect(events.at(-1)?.[1]).toMatchObject({ exitCode: 0 });
  });

  it('stops a run at the playground’s time limit and keeps the session', async () => {
    const { app, sessions } = await setup({ PLAYGROUND_RUN_TIMEOUT_MS: '200' });
    const { id } = (await createSession(app)).json();
    const response = await runIn(app, id, 'sleep:5000');
    expect(response.json()).toMatchObject({ timedOut: true, exitCode: null });
    expect(sessions.get(id).id).toBe(id);
    expect((await runIn(app, id, 'echo')).json().exitCode).toBe(0);
  });

  it('gives playground runs their own time limit, not the shell runner’s', async () => {
    const { app } = await setup({ RUN_TIMEOUT_MS: '200', PLAYGROUND_RUN_TIMEOUT_MS: '10000' });
    const { id } = (await createSession(app)).json();
    const response = await runIn(app, id, 'sleep:600');
    expect(response.json()).toMatchObject({ timedOut: false, exitCode: 0 });
  });

  it('reports a run whose processes the kernel killed for the playground’s memory limit', async () => {
    const { app, engine, sessions } = await setup();
    const { id } = (await createSession(app)).json();
    const { playgroundId } = sessions.get(id);
    const program = engine.program;
    engine.program = async (p) => {
      if (p.cmd[3] === 'tail /dev/zero') engine.markOomKilled(playgroundId);
      return program(p);
    };
    expect((await runIn(app, id, 'tail /dev/zero')).json().oomKilled).toBe(true);
    expect(sessions.get(id).id).toBe(id);
  });

  it('uses a throw-away playground without a session, destroyed after the run', async () => {
    const { app, engine } = await setup();
    const response = await runIn(app, undefined, 'docker run hello-world');
    expect(response.json()).toMatchObject({ stdout: 'ran docker run hello-world\n', exitCode: 0 });
    await expect.poll(() => engine.removed.length, { timeout: 5_000 }).toBe(1);
  });

  it('adds a hint to the daemon’s error when a pull cannot reach a registry', async () => {
    const { app } = await setup();
    const daemonError =
      'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\n';
    const response = await runIn(app, undefined, `fail:${daemonError}`);
    const { stderr, exitCode } = response.json();
    expect(exitCode).toBe(1);
    expect(stderr).toBe(daemonError + pullHint(null));
    expect(stderr).toMatch(/hint: this playground is offline/);
  });
});

describe('registry pulls (PLAYGROUND_ALLOW_PULL, PLAYGROUND_REGISTRY_MIRROR)', () => {
  it('lets the playground join the pull network, its proxy allowing Docker Hub’s hosts only', async () => {
    expect(DOCKER_HUB_HOSTS).toEqual(expect.arrayContaining(['registry-1.docker.io', 'auth.docker.io']));
    const { app, engine } = await setup({ PLAYGROUND_ALLOW_PULL: 'true' });
    expect((await createSession(app)).statusCode).toBe(201);
    const [playground] = playgrounds(engine);
    expect(playground?.options.HostConfig?.NetworkMode).toBe('bridge');
    expect(playground?.options.NetworkDisabled).toBe(false);
    expect(playground?.options.Env).toEqual(
      expect.arrayContaining([
        `PLAYGROUND_PULL_HOSTS=${DOCKER_HUB_HOSTS.join(' ')}`,
        'PLAYGROUND_PULL_PORTS=443',
      ]),
    );
    expect(playground?.options.Env?.join('\n')).not.toMatch(/PLAYGROUND_REGISTRY_MIRROR/);
  });

  it('with a mirror, lets through only the mirror, on the network given', async () => {
    const { app, engine, config } = await setup({
      PLAYGROUND_ALLOW_PULL: 'true',
      PLAYGROUND_REGISTRY_MIRROR: 'https://mirror.team.example:5443/',
      PLAYGROUND_PULL_NETWORK: 'team-mirror',
    });
    expect(config.playgroundPull).toEqual({
      registryMirror: 'https://mirror.team.example:5443',
      hosts: ['mirror.team.example'],
      ports: [5443],
      network: 'team-mirror',
    });
    expect((await createSession(app)).statusCode).toBe(201);
    const [playground] = playgrounds(engine);
    expect(playground?.options.HostConfig?.NetworkMode).toBe('team-mirror');
    expect(playground?.options.Env).toEqual(
      expect.arrayContaining([
        'PLAYGROUND_PULL_HOSTS=mirror.team.example',
        'PLAYGROUND_PULL_PORTS=5443',
        'PLAYGROUND_REGISTRY_MIRROR=https://mirror.team.example:5443',
      ]),
    );
    expect(pullHint(config.playgroundPull)).toMatch(/pulls only from https:\/\/mirror\.team\.example:5443/);
  });

  it('refuses a mirror without PLAYGROUND_ALLOW_PULL, and a mirror that is not a bare URL', () => {
    expect(() => loadConfig({ PLAYGROUND_REGISTRY_MIRROR: 'https://mirror.example' })).toThrow(
      /PLAYGROUND_REGISTRY_MIRROR is set but PLAYGROUND_ALLOW_PULL is not true/,
    );
    expect(() =>
      loadConfig({ PLAYGROUND_ALLOW_PULL: 'true', PLAYGROUND_REGISTRY_MIRROR: 'mirror.example' }),
    ).toThrow(ConfigError);
    expect(loadConfig({}).playgroundPull).toBeNull();
  });
});

describe('session routes in a cluster (ids name their node)', () => {
  const otherNode = `node-b.${'x'.repeat(22)}`;

  it('runs in a session by path, the way a load balancer routes it', async () => {
    const { app, runs } = await setup();
    const { id } = (await createSession(app)).json();
    const response = await runAt(app, id, 'docker ps');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ stdout: 'ran docker ps\n', exitCode: 0 });
    expect(runs).toEqual(['docker ps']);
    const ended = await runAt(app, `node-a.${'x'.repeat(22)}`, 'docker ps');
    expect(ended.statusCode).toBe(404);
    expect(ended.json().message).toMatch(/start a new session/);
  });

  it('answers 421 naming both nodes for a session of another node, whatever the route', async () => {
    const { app, runs, engine } = await setup();
    const answers = [
      await runAt(app, otherNode, 'docker ps'),
      await runIn(app, otherNode, 'docker ps'),
      await app.inject({ method: 'DELETE', url: `/api/sessions/${otherNode}` }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(421);
      expect(answer.json()).toMatchObject({
        statusCode: 421,
        message: expect.stringMatching(/held by node "node-b", and this is node "node-a".*start a new one/),
      });
    }
    expect(runs).toEqual([]);
    expect(engine.removed).toEqual([]);
  });

  it('answers 400 JSON for a malformed session id, before anything runs', async () => {
    const { app, runs } = await setup();
    const malformed = [
      'nope',
      `node-a.${'x'.repeat(21)}`,
      `NODE-A.${'x'.repeat(22)}`,
      `-a.${'x'.repeat(22)}`,
    ];
    for (const id of malformed) {
      for (const answer of [
        await runAt(app, id, 'docker ps'),
        await runIn(app, id, 'docker ps'),
        await app.inject({ method: 'DELETE', url: `/api/sessions/${id}` }),
      ]) {
        expect(answer.statusCode, id).toBe(400);
        expect(answer.json(), id).toMatchObject({
          statusCode: 400,
          message: expect.stringMatching(
            /(params\/id|body\/session) must be a session id: <node>\.<22 base64url/,
          ),
        });
      }
    }
    expect(runs).toEqual([]);
  });

  it('takes its node id from the instance id when NODE_ID is not set, and refuses a bad NODE_ID', async () => {
    const { app } = await setup({ NODE_ID: '' });
    const response = await createSession(app);
    expect(response.json().id).toMatch(/^n[0-9a-f]{12}\.[A-Za-z0-9_-]{22}$/);
    expect(response.headers['x-dockyard-node']).toBe(response.json().id.split('.')[0]);
    expect(() => loadConfig({ NODE_ID: 'Node_1' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ID: 'node.1' })).toThrow(ConfigError);
  });
});
