/**
 * `npm run bench:overhead`: what does running in a container cost on this machine?
 *
 * The same workloads (scripts/bench/workload.ts, the same Node binary) run natively and in
 * containers: runc, and gVisor (runsc) where the engine has it. CPU loop, fork+exec, file I/O in
 * the container's writable layer vs a volume, loopback TCP (host network vs bridge). Several
 * rounds, variants interleaved (a noisy neighbour then hits every variant alike); the medians,
 * the spread and a description of the machine go to bench-results/overhead.json.
 *
 *   BENCH_ROUNDS=11                        rounds (default 11)
 *   BENCH_BASE_IMAGE=dockyard/debian:bookworm   image the bench image is built from
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {
  MachineDescription,
  OverheadResults,
  VariantId,
  VariantResult,
  WorkloadId,
  WorkloadResult,
} from './overhead-results.ts';
import { sampleStats, significant, slowdown } from './stats.ts';

const run = promisify(execFile);

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const RESULTS_FILE = join(REPO_ROOT, 'bench-results/overhead.json');
const WORKLOAD_FILE = join(REPO_ROOT, 'scripts/bench/workload.ts');
const IMAGE_DIR = join(REPO_ROOT, 'scripts/bench/image');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const BASE_IMAGE = process.env.BENCH_BASE_IMAGE ?? 'dockyard/debian:bookworm';
const BENCH_IMAGE = 'dockyard/bench:latest';
const LABEL = 'dockyard.bench=overhead';
const CONTAINER_PORT = 5201;
const SERVER_READY_WITHIN_MS = 30_000;
/** One workload invocation; a slow gVisor fork+exec round is the longest. */
const WORKLOAD_TIMEOUT_MS = 120_000;

// Sizes: each sample takes well under a second natively, so five rounds fit in a few minutes.
const CPU_ITERATIONS = 150_000_000;
const SPAWN_COUNT = 200;
const WRITE_MIB = 128;
const SMALL_FILE_COUNT = 1000;
const FIRST_WRITE_MIB = 64;
const TCP_MIB = 256;
const TCP_ROUND_TRIPS = 2000;

const NODE_IN_CONTAINER = '/usr/local/bin/node';
const WORKLOAD_IN_CONTAINER = '/bench/workload.ts';
/** libuv would use io_uring for some file operations natively, but not under gVisor: keep both on plain syscalls. */
const WORKLOAD_ENV = { UV_USE_IO_URING: '0' };

interface Measurement {
  readonly workload: WorkloadId;
  readonly variant: VariantId;
  readonly sample: () => Promise<number>;
}

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024, timeout: WORKLOAD_TIMEOUT_MS });
  return stdout.trim();
}

function parseValue(output: string, what: string): number {
  const line = output.trim().split('\n').at(-1) ?? '';
  const value = (JSON.parse(line) as { value?: unknown }).value;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${what}: no value in ${JSON.stringify(output)}`);
  return value;
}

async function native(...args: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [WORKLOAD_FILE, ...args], {
    env: { ...process.env, ...WORKLOAD_ENV },
    timeout: WORKLOAD_TIMEOUT_MS,
  });
  return parseValue(stdout, `native ${args.join(' ')}`);
}

async function inContainer(container: string, ...args: string[]): Promise<number> {
  const env = Object.entries(WORKLOAD_ENV).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const output = await docker('exec', ...env, container, NODE_IN_CONTAINER, WORKLOAD_IN_CONTAINER, ...args);
  return parseValue(output, `${container} ${args.join(' ')}`);
}

/** The node binary and the workload, read-only, in every bench container. */
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

/** A fresh container per sample: its image layer has not been written to yet. */
async function inFreshContainer(runtime: string[], ...args: string[]): Promise<number> {
  const env = Object.entries(WORKLOAD_ENV).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const output = await docker(
    'run',
    '--rm',
    ...runtime,
    ...benchMounts(),
    ...env,
    BENCH_IMAGE,
    NODE_IN_CONTAINER,
    WORKLOAD_IN_CONTAINER,
    ...args,
  );
  return parseValue(output, `fresh container ${args.join(' ')}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function retry(sample: () => Promise<number>, what: string): Promise<void> {
  const deadline = Date.now() + SERVER_READY_WITHIN_MS;
  for (;;) {
    try {
      await sample();
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${what} not ready: ${error instanceof Error ? error.message : error}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function removeLeftovers(): Promise<void> {
  const containers = (await docker('ps', '-aq', '--filter', `label=${LABEL}`)).split('\n').filter(Boolean);
  if (containers.length > 0) await docker('rm', '-f', ...containers);
  const volumes = (await docker('volume', 'ls', '-q', '--filter', `label=${LABEL}`))
    .split('\n')
    .filter(Boolean);
  if (volumes.length > 0) await docker('volume', 'rm', '-f', ...volumes);
}

function currentLoad(): number[] {
  return loadavg().map((load) => significant(load, 2));
}

async function describeMachine(hasGvisor: boolean): Promise<MachineDescription> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const info = JSON.parse(await docker('info', '--format', '{{json .}}')) as {
    ServerVersion: string;
    Driver: string;
    CgroupVersion?: string;
  };
  let gvisorVersion: string | null = null;
  if (hasGvisor) {
    gvisorVersion = await run('runsc', ['--version'])
      .then(({ stdout }) => stdout.split('\n')[0]?.replace(/^runsc version\s*/, '') ?? null)
      .catch(() => 'unknown');
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    os: /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'unknown',
    virtualized: /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo),
    dockerVersion: info.ServerVersion,
    storageDriver: info.Driver,
    cgroupVersion: info.CgroupVersion ?? 'unknown',
    gvisorVersion,
  };
}

const UNITS: Record<WorkloadId, Pick<WorkloadResult, 'unit' | 'better' | 'params'>> = {
  cpu: { unit: 'ms', better: 'lower', params: `${CPU_ITERATIONS} xorshift iterations` },
  spawn: {
    unit: 'µs',
    better: 'lower',
    params: `${SPAWN_COUNT} × fork+exec of /bin/true from /bin/sh, per process`,
  },
  write: { unit: 'MiB/s', better: 'higher', params: `${WRITE_MIB} MiB new file, 1 MiB writes, fsync` },
  'small-files': {
    unit: 'µs',
    better: 'lower',
    params: `${SMALL_FILE_COUNT} × 4 KiB file create+write+close, then delete; per file`,
  },
  'first-write': {
    unit: 'ms',
    better: 'lower',
    params: `change 1 byte of an existing ${FIRST_WRITE_MIB} MiB file`,
  },
  'tcp-throughput': {
    unit: 'MiB/s',
    better: 'higher',
    params: `${TCP_MIB} MiB over one TCP connection on this host`,
  },
  'tcp-rtt': {
    unit: 'µs',
    better: 'lower',
    params: `${TCP_ROUND_TRIPS} × 64-byte request/response, TCP_NODELAY`,
  },
};

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = currentLoad();
  const info = JSON.parse(await docker('info', '--format', '{{json .Runtimes}}')) as Record<string, unknown>;
  const hasGvisor = 'runsc' in info;
  const machine = await describeMachine(hasGvisor);
  console.log(
    `» ${machine.cpuModel}, ${machine.cores} cores, kernel ${machine.kernel}, Docker ${machine.dockerVersion}`,
  );
  console.log(
    `  gVisor: ${machine.gvisorVersion ?? 'not registered with the engine'}; load average ${loadAtStart.join(' ')}`,
  );
  if ((loadAtStart[0] ?? 0) > machine.cores) {
    console.warn(
      `  warning: the machine is busy (load ${loadAtStart[0]} on ${machine.cores} cores). Other work competes with\n` +
        '  the workloads, and not equally (containers get a CPU cgroup of their own): expect noisy figures.',
    );
  }

  console.log(`» Building ${BENCH_IMAGE} from ${BASE_IMAGE}…`);
  await docker('image', 'inspect', BASE_IMAGE).catch(() => {
    throw new Error(`base image ${BASE_IMAGE} not found: run \`npm run images\` (or set BENCH_BASE_IMAGE)`);
  });
  await docker('build', '-q', '--build-arg', `BASE=${BASE_IMAGE}`, '-t', BENCH_IMAGE, IMAGE_DIR);

  await removeLeftovers();
  const nativeDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-'));
  let nativeServer: ReturnType<typeof spawn> | undefined;
  try {
    const runcVolume = await docker('volume', 'create', '--label', LABEL);
    const runc = await docker('run', '-d', ...benchMounts(), '-v', `${runcVolume}:/vol`, BENCH_IMAGE);
    const runsc = hasGvisor
      ? await docker(
          'run',
          '-d',
          '--runtime',
          'runsc',
          '--network',
          'none',
          ...benchMounts(),
          '-v',
          `${await docker('volume', 'create', '--label', LABEL)}:/vol`,
          BENCH_IMAGE,
        )
      : undefined;

    // TCP servers: native, in a container on the host network, in a container on the bridge with a
    // published port (reached through 127.0.0.1, i.e. docker-proxy) and directly at its bridge address.
    const nativePort = await freePort();
    nativeServer = spawn(process.execPath, [WORKLOAD_FILE, 'tcp-server', String(nativePort)], {
      stdio: 'ignore',
      env: { ...process.env, ...WORKLOAD_ENV },
    });
    const hostPort = await freePort();
    await docker(
      'run',
      '-d',
      '--network',
      'host',
      ...benchMounts(),
      BENCH_IMAGE,
      NODE_IN_CONTAINER,
      WORKLOAD_IN_CONTAINER,
      'tcp-server',
      String(hostPort),
    );
    const publishedPort = await freePort();
    const bridge = await docker(
      'run',
      '-d',
      '-p',
      `127.0.0.1:${publishedPort}:${CONTAINER_PORT}`,
      ...benchMounts(),
      BENCH_IMAGE,
      NODE_IN_CONTAINER,
      WORKLOAD_IN_CONTAINER,
      'tcp-server',
      String(CONTAINER_PORT),
    );
    const bridgeIp = await docker('inspect', '--format', '{{.NetworkSettings.IPAddress}}', bridge);
    if (runsc) {
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

    const gvisor = (
      workload: WorkloadId,
      variant: VariantId,
      sample: () => Promise<number>,
    ): Measurement[] => (runsc ? [{ workload, variant, sample }] : []);
    const runscId = runsc ?? '';
    const freshRunc: string[] = [];
    const freshRunsc = ['--runtime', 'runsc', '--network', 'none'];
    const tcp = (workload: 'tcp-throughput' | 'tcp-rtt', size: number): Measurement[] => [
      {
        workload,
        variant: 'native',
        sample: () => native(workload, '127.0.0.1', String(nativePort), String(size)),
      },
      {
        workload,
        variant: 'host-network',
        sample: () => native(workload, '127.0.0.1', String(hostPort), String(size)),
      },
      {
        workload,
        variant: 'bridge-published',
        sample: () => native(workload, '127.0.0.1', String(publishedPort), String(size)),
      },
      {
        workload,
        variant: 'bridge-direct',
        sample: () => native(workload, bridgeIp, String(CONTAINER_PORT), String(size)),
      },
      ...gvisor(workload, 'runsc-loopback', () =>
        inContainer(runscId, workload, '127.0.0.1', String(CONTAINER_PORT), String(size)),
      ),
    ];
    const cpuArgs = ['cpu', String(CPU_ITERATIONS)];
    const spawnArgs = ['spawn', String(SPAWN_COUNT)];
    const writeArgs = (dir: string) => ['write', dir, String(WRITE_MIB)];
    const smallArgs = (dir: string) => ['small-files', dir, String(SMALL_FILE_COUNT)];
    const firstWriteArgs = (file: string) => ['first-write', file, String(FIRST_WRITE_MIB)];
    const groups: Measurement[][] = [
      [
        { workload: 'cpu', variant: 'native', sample: () => native(...cpuArgs) },
        { workload: 'cpu', variant: 'runc', sample: () => inContainer(runc, ...cpuArgs) },
        ...gvisor('cpu', 'runsc', () => inContainer(runscId, ...cpuArgs)),
      ],
      [
        { workload: 'spawn', variant: 'native', sample: () => native(...spawnArgs) },
        { workload: 'spawn', variant: 'runc', sample: () => inContainer(runc, ...spawnArgs) },
        ...gvisor('spawn', 'runsc', () => inContainer(runscId, ...spawnArgs)),
      ],
      [
        { workload: 'write', variant: 'native', sample: () => native(...writeArgs(nativeDir)) },
        { workload: 'write', variant: 'runc', sample: () => inContainer(runc, ...writeArgs('/data')) },
        { workload: 'write', variant: 'runc-volume', sample: () => inContainer(runc, ...writeArgs('/vol')) },
        ...gvisor('write', 'runsc', () => inContainer(runscId, ...writeArgs('/data'))),
        ...gvisor('write', 'runsc-volume', () => inContainer(runscId, ...writeArgs('/vol'))),
      ],
      [
        { workload: 'small-files', variant: 'native', sample: () => native(...smallArgs(nativeDir)) },
        { workload: 'small-files', variant: 'runc', sample: () => inContainer(runc, ...smallArgs('/data')) },
        {
          workload: 'small-files',
          variant: 'runc-volume',
          sample: () => inContainer(runc, ...smallArgs('/vol')),
        },
        ...gvisor('small-files', 'runsc', () => inContainer(runscId, ...smallArgs('/data'))),
        ...gvisor('small-files', 'runsc-volume', () => inContainer(runscId, ...smallArgs('/vol'))),
      ],
      [
        {
          workload: 'first-write',
          variant: 'native',
          sample: () => native(...firstWriteArgs(join(nativeDir, 'big.bin'))),
        },
        {
          workload: 'first-write',
          variant: 'runc',
          sample: () => inFreshContainer(freshRunc, ...firstWriteArgs('/data/big.bin')),
        },
        {
          workload: 'first-write',
          variant: 'runc-volume',
          sample: () => inContainer(runc, ...firstWriteArgs('/vol/big.bin')),
        },
        ...gvisor('first-write', 'runsc', () =>
          inFreshContainer(freshRunsc, ...firstWriteArgs('/data/big.bin')),
        ),
        ...gvisor('first-write', 'runsc-volume', () =>
          inContainer(runscId, ...firstWriteArgs('/vol/big.bin')),
        ),
      ],
      tcp('tcp-throughput', TCP_MIB),
      tcp('tcp-rtt', TCP_ROUND_TRIPS),
    ];

    // Every server answers before the first timed sample (docker-proxy accepts connections even
    // before the server in the container listens).
    for (const measurement of groups.flat().filter(({ workload }) => workload === 'tcp-throughput')) {
      await retry(measurement.sample, `${measurement.variant} TCP server`);
    }
    // The file a first-write sample changes must exist before the first timed sample.
    await native(...firstWriteArgs(join(nativeDir, 'big.bin')));
    await inContainer(runc, ...firstWriteArgs('/vol/big.bin'));
    if (runsc) await inContainer(runsc, ...firstWriteArgs('/vol/big.bin'));

    const samples = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const roundStarted = Date.now();
      for (const group of groups) {
        // Rotate the order each round so no variant always runs first (cold caches) or last.
        const rotated = group.map((_, index) => group[(index + round) % group.length] as Measurement);
        for (const measurement of rotated) {
          const key = `${measurement.workload}/${measurement.variant}`;
          const value = await measurement.sample();
          samples.set(key, [...(samples.get(key) ?? []), value]);
        }
      }
      console.log(`  round ${round + 1}/${ROUNDS} (${((Date.now() - roundStarted) / 1000).toFixed(0)} s)`);
    }

    const workloads: WorkloadResult[] = groups.map((group) => {
      const id = (group[0] as Measurement).workload;
      const { better } = UNITS[id];
      const nativeMedian = sampleStats(samples.get(`${id}/native`) ?? []).median;
      const variants: VariantResult[] = group.map(({ variant }) => {
        const stats = sampleStats(samples.get(`${id}/${variant}`) ?? []);
        return { id: variant, ...stats, slowdown: significant(slowdown(stats.median, nativeMedian, better)) };
      });
      return { id, ...UNITS[id], variants };
    });
    const notes = hasGvisor
      ? [
          'gVisor is registered here with --network=none, so its network test runs client and server inside one sandbox (gVisor netstack loopback); bridge and host networking are runc only.',
        ]
      : ['gVisor (runsc) is not registered with this engine: no gVisor figures.'];
    const results: OverheadResults = {
      schemaVersion: 1,
      measuredAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      rounds: ROUNDS,
      loadAverage: { start: loadAtStart, end: currentLoad() },
      machine,
      workloads,
      notes,
    };
    mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    printTable(results);
    console.log(`\nWrote bench-results/overhead.json (${results.durationSeconds} s).`);
  } finally {
    nativeServer?.kill();
    await removeLeftovers();
    rmSync(nativeDir, { recursive: true, force: true });
  }
}

function printTable(results: OverheadResults): void {
  for (const workload of results.workloads) {
    console.log(`\n${workload.id} (${workload.unit}, ${workload.better} is better) — ${workload.params}`);
    for (const variant of workload.variants) {
      const spread = `${variant.min}–${variant.max}`;
      console.log(
        `  ${variant.id.padEnd(17)} ${String(variant.median).padStart(9)}  (${spread})  ×${variant.slowdown.toFixed(2)}`,
      );
    }
  }
}

if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`BENCH_ROUNDS must be a positive integer (got ${process.env.BENCH_ROUNDS})`);
  process.exit(2);
}
await main();
