/** Summary statistics of benchmark samples: the median and the spread (min–max) of a few rounds. */

export interface SampleStats {
  readonly samples: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rounds to 3 significant digits: more would be noise on a shared machine. */
export function significant(value: number, digits = 3): number {
  return value === 0 || !Number.isFinite(value) ? value : Number(value.toPrecision(digits));
}

export function sampleStats(samples: readonly number[]): SampleStats {
  return {
    samples: samples.map((sample) => significant(sample)),
    median: significant(median(samples)),
    min: significant(Math.min(...samples)),
    max: significant(Math.max(...samples)),
  };
}

/**
 * How many times the variant costs what the baseline costs, from their medians (1 = the same,
 * 2 = twice as slow). For throughput (higher is better) the ratio is inverted, so "slower" is
 * always above 1.
 */
export function slowdown(variant: number, baseline: number, better: 'lower' | 'higher'): number {
  return better === 'lower' ? variant / baseline : baseline / variant;
}
