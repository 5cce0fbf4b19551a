/**
 * The L2-penalised logistic loss in scikit-learn's parameterisation, scaled by 1/n:
 * `mean(log_loss) + ||W||² / (2·C·n)`, intercepts unpenalised. One output (binary, sigmoid) or one
 * per class (multinomial, softmax). Parameters are laid out output by output: `[w_k…, b_k]`.
 */
export interface LogisticProblem {
  X: Float64Array;
  n: number;
  d: number;
  /** Index of each row's class in the sorted class list. */
  labels: Int32Array;
  outputs: number;
  fitIntercept: boolean;
  C: number;
}

export function stride(p: Pick<LogisticProblem, 'd' | 'fitIntercept'>): number {
  return p.d + (p.fitIntercept ? 1 : 0);
}

/** Writes the linear scores of row `i` for every output into `z`. */
export function scores(params: ArrayLike<number>, x: ArrayLike<number>, offset: number, d: number, outputs: number, fitIntercept: boolean, z: Float64Array): void {
  const s = d + (fitIntercept ? 1 : 0);
  for (let k = 0; k < outputs; k++) {
    const base = k * s;
    let v = fitIntercept ? params[base + d] : 0;
    for (let j = 0; j < d; j++) v += params[base + j] * x[offset + j];
    z[k] = v;
  }
}

/** The penalised objective and its gradient, for the optimizer. */
export function objective(p: LogisticProblem): (params: Float64Array, grad: Float64Array) => number {
  const s = stride(p);
  const z = new Float64Array(p.outputs);
  return (params, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < p.n; i++) {
      scores(params, p.X, i * p.d, p.d, p.outputs, p.fitIntercept, z);
      loss += rowLossAndResiduals(z, p.labels[i], p.outputs === 1);
      for (let k = 0; k < p.outputs; k++) {
        const r = z[k];
        const base = k * s;
        for (let j = 0; j < p.d; j++) grad[base + j] += r * p.X[i * p.d + j];
        if (p.fitIntercept) grad[base + p.d] += r;
      }
    }
    let penalty = 0;
    const lambda = 1 / (p.C * p.n);
    for (let k = 0; k < p.outputs; k++) {
      for (let j = 0; j < p.d; j++) {
        const w = params[k * s + j];
        penalty += w * w;
        grad[k * s + j] = grad[k * s + j] / p.n + lambda * w;
      }
      if (p.fitIntercept) grad[k * s + p.d] /= p.n;
    }
    return loss / p.n + (lambda / 2) * penalty;
  };
}

/** The mean log-loss (no penalty) of `params` on a problem's rows. */
export function meanLogLoss(p: LogisticProblem, params: ArrayLike<number>): number {
  const z = new Float64Array(p.outputs);
  let loss = 0;
  for (let i = 0; i < p.n; i++) {
    scores(params, p.X, i * p.d, p.d, p.outputs, p.fitIntercept, z);
    loss += rowLossAndResiduals(z, p.labels[i], p.outputs === 1);
  }
  return loss / p.n;
}

/** Turns scores into probabilities in place (sigmoid for one output, softmax otherwise). */
export function toProbabilities(z: Float64Array): void {
  if (z.length === 1) {
    z[0] = sigmoid(z[0]);
    return;
  }
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += z[k] = Math.exp(z[k] - max);
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}

/**
 * The log-loss of one row given its scores `z`; overwrites `z` with the residuals
 * `probability - indicator(label)`, which are the loss's derivatives with respect to the scores.
 */
function rowLossAndResiduals(z: Float64Array, label: number, binary: boolean): number {
  if (binary) {
    const t = z[0];
    const loss = softplus(t) - (label === 1 ? t : 0);
    z[0] = sigmoid(t) - label;
    return loss;
  }
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (const v of z) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  const loss = lse - z[label];
  for (let k = 0; k < z.length; k++) z[k] = Math.exp(z[k] - lse) - (k === label ? 1 : 0);
  return loss;
}

function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}
