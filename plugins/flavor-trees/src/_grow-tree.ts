import type { ForestBuilder } from './flat-forest.js';

/** Training rows prepared once per fit: columns stored contiguously, and each column's sort order. */
export interface Presorted {
  n: number;
  d: number;
  /** Column-major values: feature j of row i at `j * n + i`. */
  columns: Float64Array;
  /** Row indices of each feature sorted by value: feature j's order at `j * n … (j + 1) * n`. */
  order: Int32Array;
}

export interface GrowParams {
  maxDepth: number;
  /** L2 penalty on leaf values (XGBoost's `lambda`). */
  lambda: number;
  /** Least loss reduction a split must achieve (XGBoost's `gamma`). */
  gamma: number;
  /** Least hessian sum on each side of a split (XGBoost's `min_child_weight`). */
  minChildWeight: number;
  /** Multiplies every leaf value (the learning rate). */
  eta: number;
}

export function presort(X: number[][]): Presorted {
  const n = X.length;
  const d = X[0].length;
  const columns = new Float64Array(n * d);
  const order = new Int32Array(n * d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) columns[j * n + i] = X[i][j];
    const col = columns.subarray(j * n, (j + 1) * n);
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => col[a] - col[b]);
    order.set(idx, j * n);
  }
  return { n, d, columns, order };
}

/**
 * Grows one regression tree on gradients `g` and hessians `h` with XGBoost's exact greedy
 * algorithm: level by level, each feature's presorted column is scanned once per level, and every
 * open node keeps its best split by the second-order gain
 * `½·(G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ))`. Leaves hold the Newton step `−η·G/(H+λ)`.
 * Only rows with `inSample[i] = 1` shape the tree; every row is routed to a leaf. Appends the tree
 * to `builder` and returns each row's leaf value.
 */
export function growTree(data: Presorted, g: Float64Array, h: Float64Array, inSample: Uint8Array, params: GrowParams, builder: ForestBuilder): Float64Array {
  const { n, d, columns, order } = data;
  const rowValue = new Float64Array(n);
  const pos = new Int32Array(n);
  builder.startTree();
  let open = [builder.addNode()];
  let G = new Float64Array(1);
  let H = new Float64Array(1);
  for (let i = 0; i < n; i++) {
    if (inSample[i]) {
      G[0] += g[i];
      H[0] += h[i];
    }
  }

  for (let depth = 0; open.length > 0; depth++) {
    const L = open.length;
    const bestGain = new Float64Array(L).fill(-Infinity);
    const bestFeature = new Int32Array(L).fill(-1);
    const bestThreshold = new Float64Array(L);
    if (depth < params.maxDepth) {
      const GL = new Float64Array(L);
      const HL = new Float64Array(L);
      const last = new Float64Array(L);
      const seen = new Uint8Array(L);
      const parentScore = Array.from(G, (Gp, p) => Gp * Gp / (H[p] + params.lambda));
      for (let j = 0; j < d; j++) {
        GL.fill(0);
        HL.fill(0);
        seen.fill(0);
        const base = j * n;
        for (let k = 0; k < n; k++) {
          const i = order[base + k];
          const p = pos[i];
          if (p < 0 || !inSample[i]) continue;
          const v = columns[base + i];
          if (seen[p] && v > last[p]) {
            const hl = HL[p];
            const hr = H[p] - hl;
            if (hl >= params.minChildWeight && hr >= params.minChildWeight) {
              const gl = GL[p];
              const gr = G[p] - gl;
              const gain = 0.5 * (gl * gl / (hl + params.lambda) + gr * gr / (hr + params.lambda) - parentScore[p]);
              if (gain > bestGain[p]) {
                bestGain[p] = gain;
                bestFeature[p] = j;
                const mid = (last[p] + v) / 2;
                bestThreshold[p] = mid > last[p] ? mid : v;
              }
            }
          }
          GL[p] += g[i];
          HL[p] += h[i];
          last[p] = v;
          seen[p] = 1;
        }
      }
    }

    const next: number[] = [];
    const child = new Int32Array(2 * L).fill(-1);
    const leafValue = new Float64Array(L);
    for (let p = 0; p < L; p++) {
      if (bestFeature[p] >= 0 && bestGain[p] > params.gamma && bestGain[p] > 0) {
        const left = builder.addNode();
        const right = builder.addNode();
        builder.split(open[p], bestFeature[p], bestThreshold[p], bestGain[p], left, right);
        child[2 * p] = next.push(left) - 1;
        child[2 * p + 1] = next.push(right) - 1;
      } else {
        leafValue[p] = (-params.eta * G[p]) / (H[p] + params.lambda);
        builder.setValue(open[p], [leafValue[p]]);
      }
    }

    const nextG = new Float64Array(next.length);
    const nextH = new Float64Array(next.length);
    for (let i = 0; i < n; i++) {
      const p = pos[i];
      if (p < 0) continue;
      if (child[2 * p] < 0) {
        rowValue[i] = leafValue[p];
        pos[i] = -1;
        continue;
      }
      const c = columns[bestFeature[p] * n + i] < bestThreshold[p] ? child[2 * p] : child[2 * p + 1];
      pos[i] = c;
      if (inSample[i]) {
        nextG[c] += g[i];
        nextH[c] += h[i];
      }
    }
    open = next;
    G = nextG;
    H = nextH;
  }
  return rowValue;
}
