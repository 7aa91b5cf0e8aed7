// Percentiles of latency samples (milliseconds), and ratios against the baseline.

/** p50 / p95 / p99 / max of the samples (nearest-rank), and their count. */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
  return { n: sorted.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

/** Each percentile of `ours` divided by the same one of `base`. */
export function ratios(ours, base) {
  const r = {};
  for (const k of ["p50", "p95", "p99", "max"]) r[k] = base?.[k] > 0 ? round(ours[k] / base[k]) : null;
  return r;
}

export function round(x, digits = 2) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
