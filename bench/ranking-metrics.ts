// Screening-prioritisation metrics over a screening order, as defined in
// ../shared/docs/RANKING_NOTES.md §1: `labels` are the 0/1 labels of the non-prior records in the
// order they were screened (priors excluded, padded with 0s to every non-prior record).

export interface OrderMetrics {
  /** Classic WSS@95 (Cohen 2006): (n − screened to reach ceil(0.95·R)) / n − 0.05. */
  wss95: number;
  /** ASReview's WSS@95: the model's position of the floor(0.95·R)-th relevant vs. the expected random one, over n. */
  wss95Asreview: number;
  /** Share of relevant records found after screening 10% / 25% of the records (RRF@k). */
  recall10: number;
  recall25: number;
  /** Records screened until the last relevant one was found. */
  toFindAll: number;
}

function cumulative(labels: readonly number[]): number[] {
  let s = 0;
  return labels.map((l) => (s += l));
}

/** Records screened (1-based count) when `k` relevant records have been found. */
function screenedUntil(cs: readonly number[], k: number): number {
  return cs.findIndex((c) => c >= k) + 1;
}

export function recallAt(labels: readonly number[], share: number): number {
  const cs = cumulative(labels);
  const r = cs.at(-1)!;
  // The largest i with i/n <= share (insights' searchsorted, side right).
  const i = Math.floor(share * labels.length + 1e-9);
  return i === 0 ? 0 : cs[i - 1]! / r;
}

export function orderMetrics(labels: readonly number[]): OrderMetrics {
  const n = labels.length;
  const cs = cumulative(labels);
  const r = cs.at(-1)!;
  if (r === 0 || r === n) throw new Error('orderMetrics: needs relevant and irrelevant records');
  const wss95 = (n - screenedUntil(cs, Math.ceil(0.95 * r - 1e-9))) / n - 0.05;
  // Expected random count at each position: round(linspace(0, R, n)), as asreview-insights.
  const random = labels.map((_, i) => Math.round((r * i) / (n - 1)));
  let k = 0;
  while ((k + 1) / r <= 0.95) k++;
  const wss95Asreview = k === 0 ? 0 : (random.findIndex((c) => c >= k) - cs.findIndex((c) => c >= k)) / n;
  return { wss95, wss95Asreview, recall10: recallAt(labels, 0.1), recall25: recallAt(labels, 0.25), toFindAll: screenedUntil(cs, r) };
}
