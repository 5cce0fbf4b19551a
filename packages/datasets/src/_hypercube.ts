import type { RandomState } from './random-state.js';

/**
 * `nVertices` distinct vertices of the unit hypercube in `dimensions` dimensions, as 0/1 rows,
 * drawn like scikit-learn's `_generate_hypercube`: beyond 30 dimensions the extra leading bits are
 * coin flips; the rest are the binary digits of integers sampled without replacement from
 * [0, 2**dimensions).
 */
export function hypercubeVertices(nVertices: number, dimensions: number, rng: RandomState): number[][] {
  if (dimensions > 30) {
    const extra = Array.from({ length: nVertices }, () => Array.from({ length: dimensions - 30 }, () => rng.randint(2)));
    const rest = hypercubeVertices(nVertices, 30, rng);
    return extra.map((bits, i) => [...bits, ...rest[i]]);
  }
  return sampleWithoutReplacement(2 ** dimensions, nVertices, rng).map((value) =>
    Array.from({ length: dimensions }, (_, j) => Math.floor(value / 2 ** (dimensions - 1 - j)) % 2),
  );
}

/**
 * `k` distinct integers from [0, n), with the method scikit-learn's `sample_without_replacement`
 * picks for `method="auto"`, so the draws match its random stream.
 */
export function sampleWithoutReplacement(n: number, k: number, rng: RandomState): number[] {
  const ratio = n === 0 ? 1 : k / n;
  if (ratio > 0.01 && ratio < 0.99) return rng.permutation(n).slice(0, k);
  if (ratio < 0.2) {
    const selected = new Set<number>();
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      let j = rng.randint(n);
      while (selected.has(j)) j = rng.randint(n);
      selected.add(j);
      out.push(j);
    }
    return out;
  }
  const out = Array.from({ length: k }, (_, i) => i);
  for (let i = k; i < n; i++) {
    const j = rng.randint(0, i + 1);
    if (j < k) out[j] = i;
  }
  return out;
}
