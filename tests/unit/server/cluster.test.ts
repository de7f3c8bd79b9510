/**
 * The cluster's parts without a cluster: the session id codec, the in-memory counters (what one node
 * uses; the Redis implementation is exercised against a real server by tests/cluster/), the rate-limit
 * store on top of them, shared by two apps, and the drain of a node (readiness, refusals, its sessions).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildSandbox } from '../../../sandbox-server/src/app.ts';
import {
  defaultNodeId,
  isNodeId,
  newSessionId,
  SESSION_ID_PATTERN,
  sessionNode,
  shortSessionId,
} from '../../../sandbox-server/src/cluster/session-id.ts';
import { loadConfig } from '../../../sandbox-server/src/config.ts';
import { MemoryCounters } from '../../../sandbox-server/src/counters/memory-counters.ts';
import { newInstanceIdentity } from '../../../sandbox-server/src/docker/labels.ts';
import { FakeEngine } from './fakes/fake-engine.ts';
import { TEST_ENV } from './fakes/test-app.ts';

describe('session ids', () => {
  it('are <node>.<128 random bits> and name their node', () => {
    const ids = Array.from({ length: 200 }, () => newSessionId('dockyard-0'));
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^dockyard-0\.[A-Za-z0-9_-]{22}$/);
      expect(id).toMatch(new RegExp(SESSION_ID_PATTERN));
      expect(sessionNode(id)).toBe('dockyard-0');
    }
    // 22 base64url characters carry 132 bits; the last one only 2 of its 6: 16 bytes exactly.
    expect(Buffer.from(ids[0]?.split('.')[1] ?? '', 'base64url').length).toBe(16);
  });

  it('are parsed strictly', () => {
    const secret = 'A'.repeat(22);
    for (const bad of [
      '',
      secret,
      `.${secret}`,
      `node.${secret}x`,
      `node.${secret.slice(1)}`,
      `Node.${secret}`,
      `-node.${secret}`,
      `node-.${secret}`,
      `no.de.${secret}`,
      `node.${secret.slice(1)}=`,
      `node.${secret.slice(1)}/`,
      `${'a'.repeat(64)}.${secret}`,
      `node.${secret}\n`,
    ]) {
      expect(sessionNode(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(sessionNode(`${'a'.repeat(63)}.${secret}`)).toBe('a'.repeat(63));
    expect(() => newSessionId('Bad_Node')).toThrow(/not a node id/);
  });

  it('are shortened for logs without giving the session away', () => {
    const id = newSessionId('n1');
    expect(shortSessionId(id)).toBe(`${id.slice(0, 9)}…`);
    expect(shortSessionId(id).length).toBeLessThan(id.length - 10);
  });

  it('default the node id to a stable part of the instance id', () => {
    const instance = '3f2a9c1e-0b7d-4e55-9a10-1234567890ab';
    expect(defaultNodeId(instance)).toBe('n3f2a9c1e0b7d');
    expect(isNodeId(defaultNodeId(instance))).toBe(true);
    expect(() => defaultNodeId('short')).toThrow();
  });
});

describe('MemoryCounters', () => {
  it('counts hits per key in fixed windows', async () => {
    let nowMs = 0;
    const counters = new MemoryCounters(() => nowMs);
    expect(await counters.hit('a', 1_000)).toEqual({ count: 1, resetInMs: 1_000 });
    nowMs = 400;
    expect(await counters.hit('a', 1_000)).toEqual({ count: 2, resetInMs: 600 });
    expect(await counters.hit('b', 1_000)).toEqual({ count: 1, resetInMs: 1_000 });
    nowMs = 1_000;
    expect(await counters.hit('a', 1_000)).toEqual({ count: 1, resetInMs: 1_000 });
  });

  it('hands out at most `limit` places per key, and gives them back once each', async () => {
    const counters = new MemoryCounters();
    const first = await counters.acquire('k', 2);
    const second = await counters.acquire('k', 2);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await counters.acquire('k', 2)).toBeNull();
    expect(await counters.acquire('other', 2)).not.toBeNull();
    await first?.release();
    await first?.release();
    expect(await counters.acquire('k', 2)).not.toBeNull();
    expect(await counters.acquire('k', 2)).toBeNull();
    expect(counters.health()).toEqual({ store: 'memory', reachable: true });
  });
});

async function appWith(counters: MemoryCounters, env: Record<string, string>) {
  const { app, drain } = await buildSandbox({
    config: loadConfig({ ...TEST_ENV, ...env }),
    engine: new FakeEngine(),
    identity: newInstanceIdentity(),
    runners: { shell: true, docker: true },
    serveSite: false,
    counters,
  });
  await app.ready();
  opened.push(app);
  return { app, drain };
}

const opened: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((app) => app.close()));
});

describe('limits counted in shared counters', () => {
  it('hold across two nodes given the same counters: one client, one budget', async () => {
    const shared = new MemoryCounters();
    const env = { RATE_LIMIT_MAX: '3', PLAYGROUND_POOL_SIZE: '0' };
    const [a, b] = [await appWith(shared, env), await appWith(shared, env)];
    const statuses = [];
    for (const node of [a, b, a, b]) {
      statuses.push(
        (await node.app.inject({ url: '/api/openapi.json', remoteAddress: '10.0.0.9' })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another client has its own budget.
    expect((await b.app.inject({ url: '/api/openapi.json', remoteAddress: '10.0.0.8' })).statusCode).toBe(
      200,
    );
  });
});

describe('drain', () => {
  it('makes the node not ready, refuses new sessions with 503 and ends the live ones', async () => {
    const { app, drain } = await appWith(new MemoryCounters(), {
      PLAYGROUND_POOL_SIZE: '0',
      DRAIN_TIMEOUT_MS: '1000',
    });
    const created = await app.inject({ method: 'POST', url: '/api/sessions', payload: {} });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    const draining = drain.run();
    const ready = await app.inject({ url: '/api/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'draining', reason: 'this node is shutting down' });
    const refused = await app.inject({ method: 'POST', url: '/api/sessions', payload: {} });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().message).toMatch(/shutting down and takes no new sessions/);
    await draining;
    const after = await app.inject({
      method: 'POST',
      url: `/api/sessions/${id}/run`,
      payload: { code: 'true' },
    });
    expect(after.statusCode).toBe(404);
    expect(after.json().message).toMatch(/start a new session/);
  });
});
