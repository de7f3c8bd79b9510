/**
 * Three Dockyard nodes behind HAProxy, sharing a Redis-protocol store (scripts/lib/cluster/cluster.ts):
 * real server processes, the real engine, real HAProxy and Redis. The scenarios run in order on one
 * cluster: runs spread; a session's runs and terminal stay on its node; a published port's preview reaches
 * its node through the balancer's preview frontend; limits hold across nodes; a node
 * killed under load (shell runs recover, its sessions end, nothing leaks); a node drained with SIGTERM.
 * The figures of the kill scenario are printed (and written to test-results/cluster.json).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_NOTICE } from '../../sandbox-server/src/cluster/drain.ts';
import { RedisCounters } from '../../sandbox-server/src/counters/redis-counters.ts';
import { DockerEngine } from '../../sandbox-server/src/docker/engine.ts';
import { LABEL_PID } from '../../sandbox-server/src/docker/labels.ts';
import { TerminalCloseCode } from '../../sandbox-server/src/terminals/terminal-protocol.ts';
import { type Cluster, type ClusterNode, startCluster } from '../../scripts/lib/cluster/cluster.ts';
import { TEMPLATE_FILE } from '../../scripts/lib/cluster/haproxy-config.ts';
import { http } from '../../scripts/lib/cluster/http.ts';
import { REPO_ROOT } from '../../scripts/lib/prepare.ts';
import { TerminalClient } from '../../scripts/lib/terminal-client.ts';

const NODE_IDS = ['node-a', 'node-b', 'node-c'];
const RATE_LIMIT_MAX = 40;
/** Requests that start this long after the kill must all succeed (the target). */
const RECOVERY_MS = 3_000;

const engine = new DockerEngine({ socketPath: '/var/run/docker.sock', callTimeoutMs: 30_000 });
let cluster: Cluster;
let failed = false;

beforeAll(async () => {
  cluster = await startCluster({
    nodeIds: NODE_IDS,
    env: {
      // Small per node: three nodes and their pools share a busy 2-core machine.
      SHELL_POOL_SIZE: '1',
      PLAYGROUND_POOL_SIZE: '0',
      SESSION_LIMIT: '2',
      RUN_CONCURRENCY: '2',
      RUN_QUEUE_LIMIT: '8',
      RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
      // A dead node's containers are the survivors' to reap: soon, for the test.
      REAP_INTERVAL_MS: '2000',
      DRAIN_TIMEOUT_MS: '30000',
    },
  });
});

afterAll(async () => {
  const kept = await cluster?.close({ keepLogs: failed });
  if (kept) console.log(`cluster logs kept in ${kept}`);
});

const containersOf = (node: ClusterNode) => engine.listContainers([`${LABEL_PID}=${node.pid}`]);
const nodeById = (id: string | undefined) => {
  const node = cluster.nodes.find((candidate) => candidate.id === id);
  if (node === undefined) throw new Error(`no node ${id}`);
  return node;
};
const shellRun = (base: string, code: string, from?: string) =>
  http(`${base}/api/run`, { body: { runner: 'shell', code }, ...(from ? { from } : {}) });
const newSession = async (base: string) => {
  const answer = await http(`${base}/api/sessions`, { body: {} });
  expect(answer.status, answer.body).toBe(201);
  return answer.json<{ id: string }>().id;
};
const runInSession = (session: string, code: string) =>
  http(`${cluster.url}/api/sessions/${session}/run`, { body: { code } });

/** Marks the run as failed for afterAll (logs are kept) while letting the assertion report. */
function track<T>(test: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await test();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

describe('three nodes behind HAProxy', () => {
  it('starts from a template HAProxy accepts', () => {
    // The harness runs HAProxy with the same generator's output for its own ports.
    expect(execFileSync('haproxy', ['-c', '-f', TEMPLATE_FILE], { encoding: 'utf8' })).toMatch(/valid/);
  });

  it(
    'spreads shell runs across the nodes',
    track(async () => {
      const answers = [];
      // From distinct client addresses, so no client's own share is what limits them.
      for (let i = 0; i < 9; i++) answers.push(await shellRun(cluster.url, 'echo ok', `127.0.2.${i + 1}`));
      for (const answer of answers) {
        expect(answer.status, answer.body).toBe(200);
        expect(answer.json()).toMatchObject({ stdout: 'ok\n', exitCode: 0 });
      }
      expect(new Set(answers.map((answer) => answer.node))).toEqual(new Set(NODE_IDS));
    }),
  );

  let session = '';
  let killed = '';
  it(
    "keeps a session's runs and terminal on its node",
    track(async () => {
      const created = await http(`${cluster.url}/api/sessions`, { body: {} });
      expect(created.status, created.body).toBe(201);
      session = created.json<{ id: string }>().id;
      const home = session.slice(0, session.indexOf('.'));
      expect(created.node).toBe(home);
      // State only that node's playground has: a file written by the first run.
      const write = await runInSession(session, 'echo kept > /root/mark; hostname');
      expect(write.status, write.body).toBe(200);
      for (let i = 0; i < 4; i++) {
        const read = await runInSession(session, 'cat /root/mark');
        expect([read.status, read.node, read.json().stdout]).toEqual([200, home, 'kept\n']);
      }
      // The terminal's WebSocket through the balancer: only the session's node would open it.
      const terminal = await TerminalClient.connect(cluster.url, session, { origin: cluster.url });
      expect(terminal.closeInfo).toBeUndefined();
      terminal.type('cat /root/mark; echo $((6*7))\r');
      await terminal.waitForText(/kept\n42\n/, 60_000);
      terminal.type('exit\r');
      await terminal.closed;
    }),
  );

  it(
    "routes a published port's preview to its session's node by the link's host name, and another node says 421",
    track(async () => {
      const home = nodeById('node-b');
      const other = nodeById('node-a');
      const preview = await newSession(home.url);
      try {
        const started = await runInSession(
          preview,
          'docker run -d -p 8080:80 nginx >/dev/null && echo started',
        );
        expect([started.status, started.json().stdout], started.body).toEqual([200, 'started\n']);
        const listed = await http(`${cluster.url}/api/sessions/${preview}/ports`);
        expect([listed.status, listed.node], listed.body).toEqual([200, home.id]);
        const ports = listed.json<Array<{ port: number; url: string }>>();
        expect(ports).toEqual([expect.objectContaining({ port: 8080 })]);
        const link = new URL(ports[0]?.url ?? '');
        const previewPort = cluster.previewHost.slice(cluster.previewHost.lastIndexOf(':') + 1);
        expect(link.href).toMatch(new RegExp(`^http://[0-9a-f]{32}-node-b\\.localhost:${previewPort}/$`));
        // Through the balancer's preview frontend, by the Host header alone (no DNS involved). Round-robin
        // over three nodes would send most of these elsewhere; the rule sends every one to node-b.
        for (let i = 0; i < 6; i++) {
          const page = await http(`http://${cluster.previewHost}/`, { headers: { host: link.host } });
          expect(page.status, page.body).toBe(200);
          expect(page.body).toContain('Welcome to nginx');
        }
        // The same link sent to another node directly: it says where the link belongs.
        const misdirected = await http(`http://127.0.0.1:${other.previewPort}/`, {
          headers: { host: link.host },
        });
        expect(misdirected.status, misdirected.body).toBe(421);
        expect(misdirected.body).toContain(
          'belongs to a playground on node "node-b", and this is node "node-a"',
        );
      } finally {
        expect((await http(`${cluster.url}/api/sessions/${preview}`, { method: 'DELETE' })).status).toBe(204);
      }
    }),
  );

  it(
    'holds the rate limit across nodes: one client, one budget in the shared store',
    track(async () => {
      const from = '127.0.3.1';
      const answers = [];
      for (let i = 0; i < RATE_LIMIT_MAX + 5; i++) {
        answers.push(await http(`${cluster.url}/api/openapi.json`, { from }));
      }
      // Spread over three nodes, each saw about a third: only a shared count stops the client.
      expect(new Set(answers.map((answer) => answer.node)).size).toBe(3);
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.slice(0, RATE_LIMIT_MAX).every((status) => status === 200)).toBe(true);
      expect(statuses.slice(RATE_LIMIT_MAX)).toEqual(Array(5).fill(429));
      expect(answers.at(-1)?.json().message).toMatch(/rate limit of 40 requests/);
      // Another client is not affected.
      expect((await http(`${cluster.url}/api/openapi.json`, { from: '127.0.3.2' })).status).toBe(200);
    }),
  );

  it(
    'survives a node killed under load: shell runs recover, its sessions end, nothing leaks',
    track(async () => {
      const victim = nodeById(session.slice(0, session.indexOf('.')));
      killed = victim.id;
      const survivors = cluster.nodes.filter((node) => node !== victim);
      expect((await containersOf(victim)).length).toBeGreaterThan(0);

      interface Sample {
        startedMs: number;
        ok: boolean;
        detail: string;
      }
      const samples: Sample[] = [];
      let killedMs = Number.POSITIVE_INFINITY;
      let stop = false;
      // Each run from an address of its own: the scenario is about recovery, not the per-client rate
      // limit (RATE_LIMIT_MAX is small for the test above), which a fast machine would otherwise reach.
      const worker = async (subnet: number) => {
        for (let sent = 0; !stop; sent++) {
          const from = `127.0.${subnet}.${(sent % 254) + 1}`;
          const startedMs = performance.now();
          const answer = await shellRun(cluster.url, 'echo ok', from).catch((error: Error) => error);
          const ok = !(answer instanceof Error) && answer.status === 200 && answer.json().exitCode === 0;
          const detail =
            answer instanceof Error ? answer.message : `${answer.status} ${answer.body.slice(0, 200)}`;
          samples.push({ startedMs, ok, detail });
        }
      };
      const workers = [4, 5, 6, 7].map(worker);
      await sleep(4_000);
      killedMs = performance.now();
      victim.signal('SIGKILL');
      expect(await victim.exited).toBeNull();
      await sleep(12_000);
      stop = true;
      await Promise.all(workers);

      const late = samples.filter((sample) => sample.startedMs > killedMs + RECOVERY_MS);
      const early = samples.filter((sample) => sample.startedMs <= killedMs + RECOVERY_MS);
      const figures = {
        runs: samples.length,
        beforeKill: samples.filter((sample) => sample.startedMs < killedMs).length,
        failedWithin3sOfKill: early.filter((sample) => !sample.ok && sample.startedMs >= killedMs).length,
        failedBeforeKill: early.filter((sample) => !sample.ok && sample.startedMs < killedMs).length,
        startedLaterThan3s: late.length,
        failedLaterThan3s: late.filter((sample) => !sample.ok).length,
      };
      console.log(`kill scenario: ${JSON.stringify(figures)}`);
      mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
      writeFileSync(join(REPO_ROOT, 'test-results', 'cluster.json'), `${JSON.stringify(figures, null, 2)}\n`);
      expect(late.length).toBeGreaterThan(5);
      expect(late.filter((sample) => !sample.ok).map((sample) => sample.detail)).toEqual([]);

      // Its session: the next run reaches a survivor, which answers as the page needs (a new session).
      const orphaned = await runInSession(session, 'cat /root/mark');
      expect(orphaned.status, orphaned.body).toBe(421);
      expect(survivors.map((node) => node.id)).toContain(orphaned.node);
      expect(orphaned.json().message).toMatch(new RegExp(`held by node "${victim.id}".*start a new one`));
      const terminal = await TerminalClient.connect(cluster.url, session, { origin: cluster.url });
      expect((await terminal.closed).code).toBe(TerminalCloseCode.sessionEnded);
      const replacement = await newSession(cluster.url);
      expect(replacement.startsWith(`${victim.id}.`)).toBe(false);
      const first = await runInSession(replacement, 'echo fresh');
      expect([first.status, first.json().stdout]).toEqual([200, 'fresh\n']);
      expect((await http(`${cluster.url}/api/sessions/${replacement}`, { method: 'DELETE' })).status).toBe(
        204,
      );

      // The dead node's containers: reaped by the survivors (same host, its process gone).
      await expect
        .poll(async () => (await containersOf(victim)).length, { timeout: 60_000, interval: 1_000 })
        .toBe(0);
    }),
  );

  it(
    'drains a node on SIGTERM: not ready, no new sessions, runs in flight finish, sessions end with a notice',
    track(async () => {
      const node = cluster.nodes.find((candidate) => candidate.id !== killed);
      if (node === undefined) throw new Error('no node left to drain');
      expect((await http(`${node.url}/api/health/ready`)).status).toBe(200);
      const session = await newSession(node.url);
      const terminal = await TerminalClient.connect(node.url, session, { origin: node.url });
      expect(terminal.closeInfo).toBeUndefined();
      // A run in flight when SIGTERM arrives: it must finish, not be stopped.
      const inFlight = shellRun(node.url, 'sleep 4; echo finished', '127.0.5.1');
      await sleep(1_500);
      node.signal('SIGTERM');
      await expect
        .poll(async () => (await http(`${node.url}/api/health/ready`).catch(() => undefined))?.status, {
          timeout: 5_000,
          interval: 100,
        })
        .toBe(503);
      // The run in flight keeps the node draining (and answering) for a few seconds more.
      expect((await http(`${node.url}/api/health/ready`)).json()).toMatchObject({ status: 'draining' });
      const refused = await http(`${node.url}/api/sessions`, { body: {} });
      expect(refused.status).toBe(503);
      expect(refused.json().message).toMatch(/takes no new sessions/);
      // Through the balancer a new session still works: another node takes it.
      const elsewhere = await newSession(cluster.url);
      expect(elsewhere.startsWith(`${node.id}.`)).toBe(false);

      const finished = await inFlight;
      expect([finished.status, finished.json().stdout]).toEqual([200, 'finished\n']);
      expect(await terminal.closed).toEqual({ code: TerminalCloseCode.sessionEnded, reason: DRAIN_NOTICE });
      expect(await node.exited).toBe(0);
      expect(await containersOf(node)).toEqual([]);
      expect((await http(`${cluster.url}/api/sessions/${elsewhere}`, { method: 'DELETE' })).status).toBe(204);
    }),
  );
});

describe('RedisCounters against the real store', () => {
  it('share windows and places between two nodes, and give places back', async () => {
    const log = { warn() {}, info() {} } as unknown as FastifyBaseLogger;
    const [a, b] = [new RedisCounters(cluster.redisUrl, log), new RedisCounters(cluster.redisUrl, log)];
    await Promise.all([a.start(), b.start()]);
    try {
      expect(a.health()).toEqual({ store: 'redis', reachable: true });
      const key = `test-${Date.now()}`;
      expect((await a.hit(key, 60_000)).count).toBe(1);
      const second = await b.hit(key, 60_000);
      expect(second.count).toBe(2);
      expect(second.resetInMs).toBeGreaterThan(50_000);
      const onA = await a.acquire(key, 2);
      const onB = await b.acquire(key, 2);
      expect(onA).not.toBeNull();
      expect(onB).not.toBeNull();
      expect(await a.acquire(key, 2)).toBeNull();
      await onB?.release();
      await onB?.release();
      const again = await a.acquire(key, 2);
      expect(again).not.toBeNull();
      expect(await b.acquire(key, 2)).toBeNull();
      // A node that closes gives its places back.
      await a.close();
      expect(await b.acquire(key, 2)).not.toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
