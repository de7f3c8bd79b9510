/**
 * `npm run bench:overhead`: what does running in a container cost on this machine?
 *
 * The same workloads (scripts/bench/workload.ts, the same Node binary) run natively and in
 * containers: runc, and gVisor (runsc) where the engine has it. CPU loop, fork+exec, file I/O in
 * the container's writable layer vs a volume, loopback TCP (host network vs bridge). Several
 * rounds, variants interleaved (a noisy neighbour then hits every variant alike); the medians,
 * the spread and a description of the machine go to bench-results/overhead.json, which the
 * performance chapter charts (site/components/OverheadChart.astro).
 *
 *   BENCH_ROUNDS=11                             rounds (default 11; ~3.5 min on an idle 2-core machine)
 *   BENCH_BASE_IMAGE=dockyard/debian:bookworm   image the bench image is built from
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {
  MachineDescription,
  OverheadResults,
  VariantId,
  VariantResult,
  WorkloadId,
  WorkloadResult,
} from '../../bench-results/overhead-results.ts';
import {
  buildBenchImage,
  CONTAINER_PORT,
  docker,
  type RunWorkload,
  startTargets,
  type Targets,
} from './bench-targets.ts';
import { sampleStats, significant, slowdown } from './stats.ts';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const RESULTS_FILE = join(REPO_ROOT, 'bench-results/overhead.json');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const BASE_IMAGE = process.env.BENCH_BASE_IMAGE ?? 'dockyard/debian:bookworm';
const SERVER_READY_WITHIN_MS = 30_000;

// Sizes: each sample takes well under a second natively, so a round takes ~15 s on an idle machine.
const CPU_ITERATIONS = 150_000_000;
const SPAWN_COUNT = 200;
const WRITE_MIB = 128;
const SMALL_FILE_COUNT = 1000;
const FIRST_WRITE_MIB = 64;
const TCP_MIB = 256;
const TCP_ROUND_TRIPS = 2000;

const WORKLOADS: Record<WorkloadId, Pick<WorkloadResult, 'unit' | 'better' | 'params'>> = {
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

/** One workload on one variant; `native` comes first in each group (it is the baseline). */
interface Measurement {
  readonly workload: WorkloadId;
  readonly variant: VariantId;
  readonly sample: () => Promise<number>;
}

function currentLoad(): number[] {
  return loadavg().map((load) => significant(load, 2));
}

async function describeMachine(gvisor: boolean): Promise<MachineDescription> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const info = JSON.parse(await docker('info', '--format', '{{json .}}')) as {
    ServerVersion: string;
    Driver: string;
    CgroupVersion?: string;
  };
  const gvisorVersion = gvisor
    ? await promisify(execFile)('runsc', ['--version'])
        .then(({ stdout }) => stdout.split('\n')[0]?.replace(/^runsc version\s*/, '') ?? 'unknown')
        .catch(() => 'unknown')
    : null;
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

/** The measurements, grouped by workload. gVisor variants are left out where the engine has no runsc. */
function measurements(targets: Targets): Measurement[][] {
  const group = (workload: WorkloadId, variants: Array<[VariantId, RunWorkload | undefined, string[]]>) =>
    variants.flatMap(([variant, target, args]): Measurement[] =>
      target ? [{ workload, variant, sample: () => target(workload, ...args) }] : [],
    );
  const { nativeDir, native, runc, runsc, freshRunc, freshRunsc, tcp } = targets;
  const write = [String(WRITE_MIB)];
  const small = [String(SMALL_FILE_COUNT)];
  const firstWrite = [String(FIRST_WRITE_MIB)];
  const network = (workload: 'tcp-throughput' | 'tcp-rtt', size: number) => {
    const to = ({ host, port }: { host: string; port: number }) => [host, String(port), String(size)];
    return group(workload, [
      ['native', native, to(tcp.native)],
      ['host-network', native, to(tcp.hostNetwork)],
      ['bridge-published', native, to(tcp.bridgePublished)],
      ['bridge-direct', native, to(tcp.bridgeDirect)],
      ['runsc-loopback', runsc, to({ host: '127.0.0.1', port: CONTAINER_PORT })],
    ]);
  };
  return [
    group('cpu', [
      ['native', native, [String(CPU_ITERATIONS)]],
      ['runc', runc, [String(CPU_ITERATIONS)]],
      ['runsc', runsc, [String(CPU_ITERATIONS)]],
    ]),
    group('spawn', [
      ['native', native, [String(SPAWN_COUNT)]],
      ['runc', runc, [String(SPAWN_COUNT)]],
      ['runsc', runsc, [String(SPAWN_COUNT)]],
    ]),
    group('write', [
      ['native', native, [nativeDir, ...write]],
      ['runc', runc, ['/data', ...write]],
      ['runc-volume', runc, ['/vol', ...write]],
      ['runsc', runsc, ['/data', ...write]],
      ['runsc-volume', runsc, ['/vol', ...write]],
    ]),
    group('small-files', [
      ['native', native, [nativeDir, ...small]],
      ['runc', runc, ['/data', ...small]],
      ['runc-volume', runc, ['/vol', ...small]],
      ['runsc', runsc, ['/data', ...small]],
      ['runsc-volume', runsc, ['/vol', ...small]],
    ]),
    // In the writable layer the file comes from the image, so every sample needs a new container.
    group('first-write', [
      ['native', native, [join(nativeDir, 'big.bin'), ...firstWrite]],
      ['runc', freshRunc, ['/data/big.bin', ...firstWrite]],
      ['runc-volume', runc, ['/vol/big.bin', ...firstWrite]],
      ['runsc', freshRunsc, ['/data/big.bin', ...firstWrite]],
      ['runsc-volume', runsc, ['/vol/big.bin', ...firstWrite]],
    ]),
    network('tcp-throughput', TCP_MIB),
    network('tcp-rtt', TCP_ROUND_TRIPS),
  ];
}

/**
 * One untimed sample where the first one would differ: until every TCP server answers (docker-proxy
 * accepts connections before the server behind it listens), and to create the file a first-write
 * sample changes (except in a fresh container, where it comes with the image).
 */
function needsPreparation({ workload, variant }: Measurement): boolean {
  return (
    workload === 'tcp-throughput' || (workload === 'first-write' && variant !== 'runc' && variant !== 'runsc')
  );
}

async function prepare(groups: Measurement[][]): Promise<void> {
  for (const { workload, variant, sample } of groups.flat().filter(needsPreparation)) {
    const deadline = Date.now() + SERVER_READY_WITHIN_MS;
    for (;;) {
      try {
        await sample();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${workload}/${variant} not ready: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}

async function runRounds(groups: Measurement[][]): Promise<Map<Measurement, number[]>> {
  const samples = new Map<Measurement, number[]>(groups.flat().map((measurement) => [measurement, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const roundStarted = Date.now();
    for (const group of groups) {
      // Rotate the order each round so no variant always runs first (cold caches) or last.
      for (let index = 0; index < group.length; index++) {
        const measurement = group[(index + round) % group.length] as Measurement;
        samples.get(measurement)?.push(await measurement.sample());
      }
    }
    console.log(`  round ${round + 1}/${ROUNDS} (${((Date.now() - roundStarted) / 1000).toFixed(0)} s)`);
  }
  return samples;
}

function summarize(groups: Measurement[][], samples: Map<Measurement, number[]>): WorkloadResult[] {
  return groups.map((group) => {
    const id = (group[0] as Measurement).workload;
    const { better } = WORKLOADS[id];
    const baseline = sampleStats(samples.get(group[0] as Measurement) ?? []).median;
    const variants = group.map((measurement): VariantResult => {
      const stats = sampleStats(samples.get(measurement) ?? []);
      return {
        id: measurement.variant,
        ...stats,
        slowdown: significant(slowdown(stats.median, baseline, better)),
      };
    });
    return { id, ...WORKLOADS[id], variants };
  });
}

function printTable(results: OverheadResults): void {
  for (const workload of results.workloads) {
    console.log(`\n${workload.id} (${workload.unit}, ${workload.better} is better) — ${workload.params}`);
    for (const variant of workload.variants) {
      const spread = `(${variant.min}–${variant.max})`;
      console.log(
        `  ${variant.id.padEnd(17)} ${String(variant.median).padStart(9)}  ${spread.padEnd(16)}  ×${variant.slowdown.toFixed(2)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = currentLoad();
  const runtimes = JSON.parse(await docker('info', '--format', '{{json .Runtimes}}')) as Record<
    string,
    unknown
  >;
  const gvisor = 'runsc' in runtimes;
  const machine = await describeMachine(gvisor);
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

  console.log(`» Building the bench image from ${BASE_IMAGE}…`);
  await buildBenchImage(BASE_IMAGE);
  const targets = await startTargets({ gvisor });
  let workloads: WorkloadResult[];
  try {
    const groups = measurements(targets);
    await prepare(groups);
    workloads = summarize(groups, await runRounds(groups));
  } finally {
    await targets.close();
  }

  const results: OverheadResults = {
    schemaVersion: 1,
    measuredAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    rounds: ROUNDS,
    loadAverage: { start: loadAtStart, end: currentLoad() },
    machine,
    workloads,
    notes: gvisor
      ? [
          'gVisor is registered here with --network=none, so its network test runs client and server inside one sandbox (gVisor netstack loopback); bridge and host networking are runc only.',
        ]
      : ['gVisor (runsc) is not registered with this engine: no gVisor figures.'],
  };
  mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  console.log(`\nWrote bench-results/overhead.json (${results.durationSeconds} s).`);
}

if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`BENCH_ROUNDS must be a positive integer (got ${process.env.BENCH_ROUNDS})`);
  process.exit(2);
}
await main();
