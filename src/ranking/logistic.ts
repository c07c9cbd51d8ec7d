// L2-regularised, class-balanced logistic regression on sparse rows, trained by Nesterov's
// accelerated gradient descent from zero for a fixed number of steps: no randomness, so the same
// data always give the same weights.
import type { SparseVector } from './features.js';

export interface LinearModel {
  /** One weight per vocabulary column (columns no training row uses stay 0). */
  readonly weights: Float64Array;
  readonly bias: number;
}

export interface LogisticOptions {
  /** Inverse regularisation strength, as scikit-learn's C (objective ½‖w‖² + C·Σ weighted loss). */
  c: number;
  iterations: number;
}

// 100 steps: on the labelled sets, ranking (AUC) and bias no longer move after 100 (checked to 2,000).
export const DEFAULT_LOGISTIC: LogisticOptions = { c: 1, iterations: 100 };

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function margin(model: LinearModel, x: SparseVector): number {
  let z = model.bias;
  for (let k = 0; k < x.index.length; k++) z += model.weights[x.index[k]!]! * x.value[k]!;
  return z;
}

/** The model's score in [0,1]; a ranking score, not a calibrated probability (classes are reweighted). */
export function probability(model: LinearModel, x: SparseVector): number {
  return sigmoid(margin(model, x));
}

/**
 * Trains on rows `xs` (L2-normalised) with labels `ys` over a vocabulary of `dim` columns. Each
 * class carries half the total weight ("balanced"), so a handful of includes among hundreds of
 * excludes still pulls the boundary. Needs at least one row of each class.
 */
export function trainLogistic(xs: readonly SparseVector[], ys: readonly boolean[], dim: number, opts: LogisticOptions = DEFAULT_LOGISTIC): LinearModel {
  const n = xs.length;
  const positives = ys.filter(Boolean).length;
  if (positives === 0 || positives === n) throw new Error('trainLogistic: needs rows of both classes');
  // Only columns some training row uses can move off zero: optimise in that smaller space.
  const local = new Map<number, number>();
  for (const x of xs) for (const c of x.index) if (!local.has(c)) local.set(c, local.size);
  const rows = xs.map((x) => Int32Array.from(x.index, (c) => local.get(c)!));
  const m = local.size;
  const y = ys.map((v) => (v ? 1 : -1));
  const cost = ys.map((v) => n / (2 * (v ? positives : n - positives)));
  const lambda = 1 / (opts.c * n);
  // Rows have norm 1 plus the bias input 1, and the loss's curvature is at most ¼: a safe step.
  const step = 1 / (0.5 + lambda);

  let w = new Float64Array(m);
  let b = 0;
  let prevW = new Float64Array(m);
  let prevB = 0;
  const lookW = new Float64Array(m);
  const grad = new Float64Array(m);
  for (let t = 1; t <= opts.iterations; t++) {
    const momentum = (t - 1) / (t + 2);
    for (let j = 0; j < m; j++) lookW[j] = w[j]! + momentum * (w[j]! - prevW[j]!);
    const lookB = b + momentum * (b - prevB);
    for (let j = 0; j < m; j++) grad[j] = lambda * lookW[j]!;
    let gradB = 0;
    for (let i = 0; i < n; i++) {
      const idx = rows[i]!;
      const val = xs[i]!.value;
      let z = lookB;
      for (let k = 0; k < idx.length; k++) z += lookW[idx[k]!]! * val[k]!;
      // d/dz of log(1 + e^(−y·z)), weighted and averaged.
      const g = (-y[i]! * sigmoid(-y[i]! * z) * cost[i]!) / n;
      gradB += g;
      for (let k = 0; k < idx.length; k++) grad[idx[k]!]! += g * val[k]!;
    }
    [prevW, w] = [w, prevW];
    prevB = b;
    for (let j = 0; j < m; j++) w[j] = lookW[j]! - step * grad[j]!;
    b = lookB - step * gradB;
  }
  const weights = new Float64Array(dim);
  for (const [c, j] of local) weights[c] = w[j]!;
  return { weights, bias: b };
}
