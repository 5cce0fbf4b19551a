/** What gradient boosting needs from a loss: its start, its derivatives, and its mean value. */
export interface BoostingObjective {
  /** The constant raw score every model starts from. */
  baseScore(t: Float64Array): number;
  /** Writes the loss's first and second derivatives at raw scores `F` into `g` and `h`. */
  gradients(t: Float64Array, F: Float64Array, g: Float64Array, h: Float64Array): void;
  /** The mean loss at raw scores `F` (log-loss, or mean squared error). */
  loss(t: ArrayLike<number>, F: ArrayLike<number>): number;
}

export type ObjectiveName = 'binary:logistic' | 'reg:squarederror';

const EPS = 1e-15;

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Binary log-loss on raw scores (log-odds); targets are 0 or 1. */
const logistic: BoostingObjective = {
  baseScore(t) {
    const mean = t.reduce((s, v) => s + v, 0) / t.length;
    const p = Math.min(Math.max(mean, 1e-6), 1 - 1e-6);
    return Math.log(p / (1 - p));
  },
  gradients(t, F, g, h) {
    for (let i = 0; i < t.length; i++) {
      const p = sigmoid(F[i]);
      g[i] = p - t[i];
      h[i] = Math.max(p * (1 - p), 1e-16);
    }
  },
  loss(t, F) {
    let s = 0;
    for (let i = 0; i < t.length; i++) {
      const p = Math.min(Math.max(sigmoid(F[i]), EPS), 1 - EPS);
      s -= t[i] === 1 ? Math.log(p) : Math.log(1 - p);
    }
    return s / t.length;
  },
};

/** Squared error `½(F − t)²`, reported as the mean squared error. */
const squaredError: BoostingObjective = {
  baseScore(t) {
    return t.reduce((s, v) => s + v, 0) / t.length;
  },
  gradients(t, F, g, h) {
    for (let i = 0; i < t.length; i++) {
      g[i] = F[i] - t[i];
      h[i] = 1;
    }
  },
  loss(t, F) {
    let s = 0;
    for (let i = 0; i < t.length; i++) s += (F[i] - t[i]) ** 2;
    return s / t.length;
  },
};

export const OBJECTIVES: Record<ObjectiveName, BoostingObjective> = {
  'binary:logistic': logistic,
  'reg:squarederror': squaredError,
};
