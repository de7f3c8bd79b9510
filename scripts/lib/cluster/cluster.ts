/**
 * A Dockyard cluster on this machine for `npm run test:cluster`: a Redis-protocol store (valkey-server,
 * else redis-server), N server processes — each with its own NODE_ID, port, instance id and pools — and
 * HAProxy in front with the configuration of haproxy-config.ts, previews included (each node's preview
 * listener behind the balancer's preview frontend, whose address the links name: `*.localhost`). The nodes share this machine's Docker
 * engine, a stand-in for N hosts with an engine each: routing, shared limits, failure and draining are
 * the same; a dead node's containers are reaped by the survivors here (same host, dead pid), where on
 * separate hosts they go with the host's engine or are reaped by the node when it comes back.
 * Everything it starts is stopped by close(), and its files removed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverNodeArguments } from '../../../sandbox-server/src/server-command.ts';
import { freePort } from '../free-port.ts';
import { REPO_ROOT } from '../prepare.ts';
import { haproxyConfig } from './haproxy-config.ts';
import { http } from './http.ts';

const READY_WITHIN_MS = 180_000;
const STOP_GRACE_MS = 60_000;

export interface ClusterNode {
  readonly id: string;
  readonly port: number;
  /** The node itself, bypassing the load balancer. */
  readonly url: string;
  /** The node's own preview listener, bypassing the load balancer. */
  readonly previewPort: number;
  readonly pid: number;
  /** Resolves with the exit code (null: killed by a signal). */
  readonly exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

export interface Cluster {
  /** The load balancer. */
  readonly url: string;
  readonly host: string;
  /** host:port of the balancer's preview frontend; links are http://<token>-<node>.localhost:<its port>/. */
  readonly previewHost: string;
  readonly nodes: readonly ClusterNode[];
  readonly redisUrl: string;
  readonly logDir: string;
  /** Stops everything; the logs are kept (and their directory returned) when asked to. */
  close(options?: { keepLogs?: boolean }): Promise<string | undefined>;
}

export interface ClusterOptions {
  nodeIds: readonly string[];
  /** Settings of every node (on top of the harness's own). */
  env: Record<string, string>;
}

/** The Redis-protocol server the machine has: Valkey where the distribution ships it, else Redis. */
export function storeServerBinary(): string {
  for (const binary of ['valkey-server', 'redis-server']) {
    try {
      execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
      return binary;
    } catch {}
  }
  throw new Error(
    'neither valkey-server nor redis-server is installed: run sh scripts/provision/cluster-tools.sh',
  );
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const logDir = mkdtempSync(join(tmpdir(), 'dockyard-cluster-'));
  const children: ChildProcess[] = [];
  const spawnLogged = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const log = createWriteStream(join(logDir, `${name}.log`));
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.push(child);
    return child;
  };
  const close = async ({ keepLogs = false } = {}) => {
    // Nodes first (they remove their containers), then the balancer and the store.
    const stopping = children.filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of stopping) child.kill('SIGTERM');
    await Promise.all(
      stopping.map(async (child) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exitOf(child);
        clearTimeout(timer);
      }),
    );
    if (keepLogs) return logDir;
    rmSync(logDir, { recursive: true, force: true });
    return undefined;
  };

  try {
    const redisPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const store = storeServerBinary();
    spawnLogged('store', store, [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      logDir,
    ]);

    const lbPort = await freePort();
    const host = `127.0.0.1:${lbPort}`;
    const lbPreviewPort = await freePort();
    const previewHost = `127.0.0.1:${lbPreviewPort}`;
    const nodes: ClusterNode[] = [];
    for (const id of options.nodeIds) {
      const port = await freePort();
      const previewPort = await freePort();
      mkdirSync(join(logDir, id));
      const child = spawnLogged(id, process.execPath, serverNodeArguments(), {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        NODE_ID: id,
        INSTANCE_ID_FILE: join(logDir, id, 'instance-id'),
        REDIS_URL: redisUrl,
        // One proxy in front: the reader is the address HAProxy saw.
        TRUST_PROXY: '1',
        PUBLIC_HOSTS: `${host},127.0.0.1:${port}`,
        // A directory without index.html: the API alone.
        SITE_DIR: join(logDir, id),
        // Links name the balancer's preview frontend; browsers resolve every *.localhost name here.
        PREVIEW_PORT: String(previewPort),
        PREVIEW_ORIGIN: `http://localhost:${lbPreviewPort}`,
        LOG_LEVEL: 'info',
        ...options.env,
      });
      const exited = exitOf(child);
      nodes.push({
        id,
        port,
        url: `http://127.0.0.1:${port}`,
        previewPort,
        pid: child.pid ?? 0,
        exited,
        signal: (signal) => child.kill(signal),
      });
    }

    const configFile = join(logDir, 'haproxy.cfg');
    writeFileSync(
      configFile,
      haproxyConfig({
        bind: host,
        previewBind: previewHost,
        log: 'stdout format raw',
        nodes: nodes.map((node) => ({
          id: node.id,
          address: `127.0.0.1:${node.port}`,
          previewAddress: `127.0.0.1:${node.previewPort}`,
        })),
      }),
    );
    spawnLogged('haproxy', 'haproxy', ['-db', '-f', configFile]);

    const url = `http://${host}`;
    const deadline = Date.now() + READY_WITHIN_MS;
    for (const node of nodes) {
      while ((await http(`${node.url}/api/health/ready`).catch(() => undefined))?.status !== 200) {
        if (Date.now() > deadline) throw new Error(`node ${node.id} not ready; see ${logDir}/${node.id}.log`);
        await sleep(500);
      }
    }
    // Every node in rotation behind the balancer.
    const seen = new Set<string>();
    while (seen.size < nodes.length) {
      const answer = await http(`${url}/api/health/ready`).catch(() => undefined);
      if (answer?.node !== undefined) seen.add(answer.node);
      if (Date.now() > deadline) throw new Error(`the balancer reaches only ${[...seen].join(', ')}`);
      if (answer?.node === undefined) await sleep(200);
    }
    return { url, host, previewHost, nodes, redisUrl, logDir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
