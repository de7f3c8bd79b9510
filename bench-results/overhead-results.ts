/**
 * The shape of overhead.json beside this file, written by scripts/bench/overhead.ts and rendered by
 * site/components/OverheadChart.astro. Labels live in the chart (they are translated); the file
 * holds ids, units and numbers.
 */

export type WorkloadId =
  | 'cpu'
  | 'spawn'
  | 'write'
  | 'small-files'
  | 'first-write'
  | 'tcp-throughput'
  | 'tcp-rtt';

export type VariantId =
  | 'native'
  | 'runc'
  | 'runc-volume'
  | 'runsc'
  | 'runsc-volume'
  | 'host-network'
  | 'bridge-published'
  | 'bridge-direct'
  | 'runsc-loopback';

export interface VariantResult {
  readonly id: VariantId;
  readonly samples: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Median cost relative to the native median: 1 = as fast, 2 = twice as slow. */
  readonly slowdown: number;
}

export interface WorkloadResult {
  readonly id: WorkloadId;
  readonly unit: 'ms' | 'µs' | 'MiB/s';
  readonly better: 'lower' | 'higher';
  /** What one sample does, e.g. "5e7 iterations" (for the record; the chart translates the workload). */
  readonly params: string;
  readonly variants: readonly VariantResult[];
}

export interface MachineDescription {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly virtualized: boolean;
  readonly dockerVersion: string;
  readonly storageDriver: string;
  readonly cgroupVersion: string;
  readonly gvisorVersion: string | null;
}

export interface OverheadResults {
  readonly schemaVersion: 1;
  readonly measuredAt: string;
  readonly durationSeconds: number;
  readonly rounds: number;
  /** 1-, 5- and 15-minute load averages before and after: how busy the machine was with other work. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly machine: MachineDescription;
  readonly workloads: readonly WorkloadResult[];
  /** What was not measured and why. */
  readonly notes: readonly string[];
}
