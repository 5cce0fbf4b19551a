/**
 * The generator and the split against scikit-learn's own output, kept in fixtures/:
 * classification_1000x20_seed42.csv is `make_classification(n_samples=1000, n_features=20,
 * random_state=42)`, and mlflow-onnx-logreg.expected.json holds the first 20 test rows of
 * `train_test_split(X, y, test_size=0.2, random_state=42)`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures');
const CSV = resolve(FIXTURES, 'classification_1000x20_seed42.csv');
const expected = JSON.parse(readFileSync(resolve(FIXTURES, 'mlflow-onnx-logreg.expected.json'), 'utf8')) as { inputs: number[][] };

describe('against scikit-learn', () => {
  it('makeClassification({ nSamples: 1000, nFeatures: 20, seed: 42 }) equals sklearn’s dataset', async () => {
    const sk = splitTarget(await readCsv(CSV), 'target');
    const ours = makeClassification({ nSamples: 1000, nFeatures: 20, seed: 42 });
    expect(ours.y).toEqual(sk.y);
    let worst = 0;
    ours.X.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - sk.X[i][j])))));
    // Only rounding differs (BLAS's dot products, libm's log): a few ulps at most.
    expect(worst).toBeLessThan(1e-12);
  });

  it('trainTestSplit(1000, { testSize: 0.2, randomState: 42 }) picks sklearn’s test rows, in order', async () => {
    const sk = splitTarget(await readCsv(CSV), 'target');
    const { train, test } = trainTestSplit(1000, { testSize: 0.2, randomState: 42 });
    expect(test).toHaveLength(200);
    expect(train).toHaveLength(800);
    expect(new Set([...train, ...test]).size).toBe(1000);
    expect(selectRows(sk.X, test).slice(0, 20)).toEqual(expected.inputs);
  });
});

describe('makeClassification', () => {
  it('gives the same data for the same seed and different data for another', () => {
    const a = makeClassification({ nSamples: 50, seed: 3 });
    expect(makeClassification({ nSamples: 50, seed: 3 })).toEqual(a);
    expect(makeClassification({ nSamples: 50, seed: 4 }).X).not.toEqual(a.X);
  });

  it('puts unshuffled clusters on hypercube vertices ±classSep and flips no labels when flipY is 0', () => {
    const { X, y } = makeClassification({
      nSamples: 400, nFeatures: 2, nInformative: 2, nRedundant: 0, classSep: 5, flipY: 0, shuffle: false, seed: 1,
    });
    // Clusters k = 0..3 hold 100 rows each; vertex k is (bit1, bit0) of k, scaled to ±5.
    const vertices = [[-5, -5], [-5, 5], [5, -5], [5, 5]];
    for (let k = 0; k < 4; k++) {
      const rows = X.slice(k * 100, (k + 1) * 100);
      const mean = [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
      mean.forEach((m, j) => expect(Math.abs(m - vertices[k][j])).toBeLessThan(1));
      expect(new Set(y.slice(k * 100, (k + 1) * 100))).toEqual(new Set([k % 2]));
    }
  });

  it('makes redundant features exact linear combinations of the informative ones', () => {
    const { X } = makeClassification({ nSamples: 30, nFeatures: 5, nInformative: 3, nRedundant: 2, shuffle: false, seed: 9 });
    // With 3 informative columns, the 3 × 5 system has rank 3: each redundant column is a fixed
    // combination, so solving it on rows 0..2 must predict every other row.
    const solve = (col: number) => {
      const A = X.slice(0, 3).map((r) => r.slice(0, 3));
      const b = X.slice(0, 3).map((r) => r[col]);
      return gauss(A, b);
    };
    for (const col of [3, 4]) {
      const w = solve(col);
      for (const row of X) expect(row[col]).toBeCloseTo(w[0] * row[0] + w[1] * row[1] + w[2] * row[2], 8);
    }
  });

  it('supports several classes, weights and random shift/scale', () => {
    const { X, y } = makeClassification({
      nSamples: 400, nClasses: 3, nInformative: 4, weights: [0.5, 0.25], flipY: 0, shift: null, scale: null, seed: 5,
    });
    const counts = [0, 1, 2].map((c) => y.filter((v) => v === c).length);
    expect(counts).toEqual([200, 100, 100]);
    expect(X.every((r) => r.length === 20 && r.every(Number.isFinite))).toBe(true);
  });

  it('rejects impossible shapes with the field that is wrong', () => {
    expect(() => makeClassification({ nFeatures: 3, nInformative: 2, nRedundant: 2 })).toThrow(/nFeatures/);
    expect(() => makeClassification({ nInformative: 1, nClasses: 2, nClustersPerClass: 2 })).toThrow(/nInformative/);
    expect(() => makeClassification({ nClasses: 3, nInformative: 3, weights: [1] })).toThrow(/weights/);
  });
});

function gauss(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    const p = M.slice(c).reduce((best, row, k) => (Math.abs(row[c]) > Math.abs(M[best][c]) ? c + k : best), c);
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (M[r][n] - M[r].slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k], 0)) / M[r][r];
  return x;
}
