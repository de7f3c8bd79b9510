/**
 * Where the overhead benchmark runs its workloads: natively, and in containers started for the
 * run (runc, gVisor where the engine has it, TCP servers on the host network and on the bridge).
 * Every container carries the bench label; leftovers of an interrupted run are removed first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../lib/free-port.ts';

const run = promisify(execFile);

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const WORKLOAD_FILE = join(REPO_ROOT, 'scripts/bench/workload.ts');
const IMAGE_DIR = join(REPO_ROOT, 'scripts/bench/image');

export const BENCH_IMAGE = 'dockyard/bench:latest';
const LABEL = 'dockyard.bench=overhead';
/** The TCP servers' port inside their containers. */
export const CONTAINER_PORT = 5201;
/** One workload invocation; a slow gVisor fork+exec round is the longest. */
const WORKLOAD_TIMEOUT_MS = 120_000;
const OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;

const NODE_IN_CONTAINER = '/usr/local/bin/node';
const WORKLOAD_IN_CONTAINER = '/bench/workload.ts';
/** libuv would use io_uring for some file operations natively, but not under gVisor: keep both on plain syscalls. */
const WORKLOAD_ENV = { UV_USE_IO_URING: '0' };
const WORKLOAD_ENV_ARGS = Object.entries(WORKLOAD_ENV).flatMap(([name, value]) => ['-e', `${name}=${value}`]);

/** Runs one workload (scripts/bench/workload.ts arguments) and resolves with its value. */
export type RunWorkload = (...args: string[]) => Promise<number>;

export interface Targets {
  /** A directory on the host's file system for the native file workloads. */
  readonly nativeDir: string;
  readonly native: RunWorkload;
  /** A long-running runc container; its volume is mounted at /vol, its writable layer holds /data. */
  readonly runc: RunWorkload;
  /** The same under gVisor (no network, as the engine registers it), if the engine has runsc. */
  readonly runsc: RunWorkload | undefined;
  /** A new runc (or gVisor) container per sample: its image layer has not been written to yet. */
  readonly freshRunc: RunWorkload;
  readonly freshRunsc: RunWorkload | undefined;
  /** TCP servers (workload.ts tcp-server) and how the native client reaches them. */
  readonly tcp: {
    readonly native: { host: string; port: number };
    readonly hostNetwork: { host: string; port: number };
    /** Published with -p on 127.0.0.1: connections go through docker-proxy. */
    readonly bridgePublished: { host: string; port: number };
    /** The container's own bridge address: veth and bridge, no proxy. */
    readonly bridgeDirect: { host: string; port: number };
  };
  close(): Promise<void>;
}

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, {
    maxBuffer: OUTPUT_LIMIT_BYTES,
    timeout: WORKLOAD_TIMEOUT_MS,
  });
  return stdout.trim();
}

function parseValue(output: string, what: string): number {
  const line = output.trim().split('\n').at(-1) ?? '';
  const value = (JSON.parse(line) as { value?: unknown }).value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${what}: no value in ${JSON.stringify(output)}`);
  }
  return value;
}

async function runNative(...args: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [WORKLOAD_FILE, ...args], {
    env: { ...process.env, ...WORKLOAD_ENV },
    timeout: WORKLOAD_TIMEOUT_MS,
  });
  return parseValue(stdout, `native ${args.join(' ')}`);
}

function inContainer(container: string): RunWorkload {
  return async (...args) => {
    const output = await docker(
      'exec',
      ...WORKLOAD_ENV_ARGS,
      container,
      NODE_IN_CONTAINER,
      WORKLOAD_IN_CONTAINER,
      ...args,
    );
    return parseValue(output, `${container} ${args.join(' ')}`);
  };
}

/** The Node binary the native side runs and the workload, read-only, plus the bench label. */
function benchMounts(): string[] {
  return [
    '-v',
    `${process.execPath}:${NODE_IN_CONTAINER}:ro`,
    '-v',
    `${WORKLOAD_FILE}:${WORKLOAD_IN_CONTAINER}:ro`,
    '--label',
    LABEL,
  ];
}

function inFreshContainer(runtime: readonly string[]): RunWorkload {
  return async (...args) => {
    const output = await docker(
      'run',
      '--rm',
      ...runtime,
      ...benchMounts(),
      ...WORKLOAD_ENV_ARGS,
      BENCH_IMAGE,
      NODE_IN_CONTAINER,
      WORKLOAD_IN_CONTAINER,
      ...args,
    );
    return parseValue(output, `fresh container ${args.join(' ')}`);
  };
}

function startTcpServer(runtime: readonly string[], port: number): Promise<string> {
  return docker(
    'run',
    '-d',
    ...runtime,
    ...benchMounts(),
    BENCH_IMAGE,
    NODE_IN_CONTAINER,
    WORKLOAD_IN_CONTAINER,
    'tcp-server',
    String(port),
  );
}

async function removeLeftovers(): Promise<void> {
  const containers = (await docker('ps', '-aq', '--filter', `label=${LABEL}`)).split('\n').filter(Boolean);
  if (containers.length > 0) await docker('rm', '-f', ...containers);
  const volumes = (await docker('volume', 'ls', '-q', '--filter', `label=${LABEL}`))
    .split('\n')
    .filter(Boolean);
  if (volumes.length > 0) await docker('volume', 'rm', '-f', ...volumes);
}

/** Builds the bench image from `baseImage` (cached when nothing changed). */
export async function buildBenchImage(baseImage: string): Promise<void> {
  await docker('image', 'inspect', baseImage).catch(() => {
    throw new Error(`base image ${baseImage} not found: run \`npm run images\` (or set BENCH_BASE_IMAGE)`);
  });
  await docker('build', '-q', '--build-arg', `BASE=${baseImage}`, '-t', BENCH_IMAGE, IMAGE_DIR);
}

export async function startTargets({ gvisor }: { gvisor: boolean }): Promise<Targets> {
  await removeLeftovers();
  const nativeDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-'));
  let nativeServer: ChildProcess | undefined;
  const close = async () => {
    nativeServer?.kill();
    await removeLeftovers();
    rmSync(nativeDir, { recursive: true, force: true });
  };
  try {
    const volume = () => docker('volume', 'create', '--label', LABEL);
    const gvisorRuntime = ['--runtime', 'runsc', '--network', 'none'];
    const runc = await docker('run', '-d', ...benchMounts(), '-v', `${await volume()}:/vol`, BENCH_IMAGE);
    const runsc = gvisor
      ? await docker(
          'run',
          '-d',
          ...gvisorRuntime,
          ...benchMounts(),
          '-v',
          `${await volume()}:/vol`,
          BENCH_IMAGE,
        )
      : undefined;

    const nativePort = await freePort();
    nativeServer = spawn(process.execPath, [WORKLOAD_FILE, 'tcp-server', String(nativePort)], {
      stdio: 'ignore',
      env: { ...process.env, ...WORKLOAD_ENV },
    });
    const hostPort = await freePort();
    await startTcpServer(['--network', 'host'], hostPort);
    const publishedPort = await freePort();
    const bridge = await startTcpServer(
      ['-p', `127.0.0.1:${publishedPort}:${CONTAINER_PORT}`],
      CONTAINER_PORT,
    );
    const bridgeIp = await docker('inspect', '--format', '{{.NetworkSettings.IPAddress}}', bridge);
    if (runsc) {
      // gVisor has no network here: its server serves clients inside the same sandbox.
      await docker(
        'exec',
        '-d',
        runsc,
        NODE_IN_CONTAINER,
        WORKLOAD_IN_CONTAINER,
        'tcp-server',
        String(CONTAINER_PORT),
      );
    }

    return {
      nativeDir,
      native: runNative,
      runc: inContainer(runc),
      runsc: runsc ? inContainer(runsc) : undefined,
      freshRunc: inFreshContainer([]),
      freshRunsc: gvisor ? inFreshContainer(gvisorRuntime) : undefined,
      tcp: {
        native: { host: '127.0.0.1', port: nativePort },
        hostNetwork: { host: '127.0.0.1', port: hostPort },
        bridgePublished: { host: '127.0.0.1', port: publishedPort },
        bridgeDirect: { host: bridgeIp, port: CONTAINER_PORT },
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
