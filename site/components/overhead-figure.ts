/**
 * One number from bench-results/overhead.json as the chapter's prose quotes it (`×6.9` or
 * `8,700 µs`). Shared by OverheadFigure.astro and the Markdown version of the page.
 */
import type { OverheadResults, VariantId, WorkloadId } from '../../bench-results/overhead-results.ts';

export type FigureKind = 'slowdown' | 'median';

export function overheadFigure(
  results: OverheadResults,
  workloadId: WorkloadId,
  variantId: VariantId,
  show: FigureKind,
  lang: string,
): string {
  const workload = results.workloads.find((candidate) => candidate.id === workloadId);
  const variant = workload?.variants.find((candidate) => candidate.id === variantId);
  if (!workload || !variant) {
    throw new Error(`OverheadFigure: bench-results/overhead.json has no ${workloadId}/${variantId}`);
  }
  const number = new Intl.NumberFormat(lang, { maximumSignificantDigits: 2 });
  return show === 'median'
    ? `${number.format(variant.median)} ${workload.unit}`
    : `×${number.format(variant.slowdown)}`;
}
