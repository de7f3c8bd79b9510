import { describe, expect, it } from 'vitest';
import { median, sampleStats, significant, slowdown } from '../../scripts/bench/stats.ts';

describe('bench statistics', () => {
  it('takes the median of odd and even sample counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('summarises samples as median and min–max, rounded to 3 significant digits', () => {
    expect(sampleStats([216.43, 230.1, 219.99, 2000.4, 215.2])).toEqual({
      samples: [216, 230, 220, 2000, 215],
      median: 220,
      min: 215,
      max: 2000,
    });
    expect(significant(0.0123456)).toBe(0.0123);
  });

  it('expresses cost relative to native the same way for times and for throughput', () => {
    expect(slowdown(300, 200, 'lower')).toBe(1.5);
    expect(slowdown(400, 600, 'higher')).toBe(1.5);
  });
});
