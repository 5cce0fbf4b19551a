import { DatasetArgumentError } from './errors.js';
import { RandomState } from './random-state.js';
import { hypercubeVertices } from './_hypercube.js';

export interface MakeClassificationOptions {
  nSamples?: number;
  nFeatures?: number;
  nInformative?: number;
  nRedundant?: number;
  nRepeated?: number;
  nClasses?: number;
  nClustersPerClass?: number;
  /** Class proportions (length nClasses, or nClasses - 1 with the last inferred). Default: balanced. */
  weights?: number[];
  /** Fraction of labels replaced by a random class. Default 0.01. */
  flipY?: number;
  /** Half the side of the hypercube whose vertices hold the clusters. Default 1. */
  classSep?: number;
  /** Clusters on the hypercube's vertices (true) or on a random polytope (false). Default true. */
  hypercube?: boolean;
  /** Added to every feature (one number, one per feature, or null for random in [-classSep, classSep]). Default 0. */
  shift?: number | number[] | null;
  /** Multiplies every feature after shifting (one number, one per feature, or null for random in [1, 101]). Default 1. */
  scale?: number | number[] | null;
  /** Shuffle rows and columns. Default true. */
  shuffle?: boolean;
  /** Seed (scikit-learn's `random_state`). Default 0. */
  seed?: number;
}

/** A generated table: `X[i]` is a row of features, `y[i]` its class (0 … nClasses-1). */
export interface ClassificationData {
  X: number[][];
  y: number[];
}

/**
 * Generates a random classification problem with scikit-learn's `make_classification` algorithm:
 * gaussian clusters on the vertices of a hypercube with side `2 * classSep` in the informative
 * subspace, each with a random covariance; redundant features as random linear combinations of the
 * informative ones, repeated copies, pure-noise features, `flipY` label noise, then a shuffle of rows
 * and columns. With numpy's legacy RNG underneath it draws the same numbers, in the same order, as
 * `make_classification(…, random_state=seed)`.
 *
 * @example
 * const { X, y } = makeClassification({ nSamples: 1000, nFeatures: 20, seed: 42 });
 */
export function makeClassification(options: MakeClassificationOptions = {}): ClassificationData {
  const o = withDefaults(options);
  const rng = new RandomState(o.seed);
  const nUseless = o.nFeatures - o.nInformative - o.nRedundant - o.nRepeated;
  const nClusters = o.nClasses * o.nClustersPerClass;
  const weights = classWeights(o.weights, o.nClasses);
  const perCluster = Array.from({ length: nClusters }, (_, k) =>
    Math.trunc((o.nSamples * weights[k % o.nClasses]) / o.nClustersPerClass),
  );
  const missing = o.nSamples - perCluster.reduce((a, b) => a + b, 0);
  for (let i = 0; i < missing; i++) perCluster[i % nClusters] += 1;

  const centroids = hypercubeVertices(nClusters, o.nInformative, rng).map((v) => v.map((bit) => bit * 2 * o.classSep - o.classSep));
  if (!o.hypercube) {
    const perClusterScale = draw(nClusters, () => rng.randomSample());
    const perFeatureScale = draw(o.nInformative, () => rng.randomSample());
    centroids.forEach((c, k) => c.forEach((_, j) => (c[j] = c[j] * perClusterScale[k] * perFeatureScale[j])));
  }

  const X = draw(o.nSamples, () => new Array<number>(o.nFeatures).fill(0));
  const y = new Array<number>(o.nSamples).fill(0);
  for (const row of X) for (let j = 0; j < o.nInformative; j++) row[j] = rng.standardNormal();

  let stop = 0;
  centroids.forEach((centroid, k) => {
    const start = stop;
    stop += perCluster[k];
    const A = randomMatrix(rng, o.nInformative, o.nInformative);
    for (let i = start; i < stop; i++) {
      y[i] = k % o.nClasses;
      const mixed = multiply(X[i], A, o.nInformative);
      for (let j = 0; j < o.nInformative; j++) X[i][j] = mixed[j] + centroid[j];
    }
  });

  if (o.nRedundant > 0) {
    const B = randomMatrix(rng, o.nInformative, o.nRedundant);
    for (const row of X) multiply(row, B, o.nInformative).forEach((v, j) => (row[o.nInformative + j] = v));
  }
  if (o.nRepeated > 0) {
    const n = o.nInformative + o.nRedundant;
    const sources = draw(o.nRepeated, () => Math.trunc((n - 1) * rng.randomSample() + 0.5));
    for (const row of X) sources.forEach((src, j) => (row[n + j] = row[src]));
  }
  if (nUseless > 0) {
    for (const row of X) for (let j = o.nFeatures - nUseless; j < o.nFeatures; j++) row[j] = rng.standardNormal();
  }

  if (o.flipY >= 0) {
    const flip = draw(o.nSamples, () => rng.randomSample() < o.flipY);
    flip.forEach((flipped, i) => {
      if (flipped) y[i] = rng.randint(o.nClasses);
    });
  }

  const shift = perFeature(o.shift, o.nFeatures, 'shift', () => (2 * rng.randomSample() - 1) * o.classSep);
  for (const row of X) for (let j = 0; j < o.nFeatures; j++) row[j] += shift[j];
  const scale = perFeature(o.scale, o.nFeatures, 'scale', () => 1 + 100 * rng.randomSample());
  for (const row of X) for (let j = 0; j < o.nFeatures; j++) row[j] *= scale[j];

  if (!o.shuffle) return { X, y };
  const rowOrder = rng.permutation(o.nSamples);
  const columnOrder = rng.permutation(o.nFeatures);
  return {
    X: rowOrder.map((i) => columnOrder.map((j) => X[i][j])),
    y: rowOrder.map((i) => y[i]),
  };
}

type Resolved = Required<Omit<MakeClassificationOptions, 'weights' | 'shift' | 'scale'>> &
  Pick<MakeClassificationOptions, 'weights' | 'shift' | 'scale'>;

function withDefaults(options: MakeClassificationOptions): Resolved {
  const o: Resolved = {
    nSamples: 100,
    nFeatures: 20,
    nInformative: 2,
    nRedundant: 2,
    nRepeated: 0,
    nClasses: 2,
    nClustersPerClass: 2,
    flipY: 0.01,
    classSep: 1,
    hypercube: true,
    shuffle: true,
    seed: 0,
    shift: 0,
    scale: 1,
    ...options,
  };
  for (const key of ['nSamples', 'nFeatures', 'nInformative', 'nClasses', 'nClustersPerClass'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new DatasetArgumentError(key, o[key], 'a positive integer');
  }
  for (const key of ['nRedundant', 'nRepeated'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 0) throw new DatasetArgumentError(key, o[key], 'a non-negative integer');
  }
  if (o.nInformative + o.nRedundant + o.nRepeated > o.nFeatures) {
    throw new DatasetArgumentError('nFeatures', o.nFeatures, 'at least nInformative + nRedundant + nRepeated');
  }
  if (o.nInformative < Math.log2(o.nClasses * o.nClustersPerClass)) {
    throw new DatasetArgumentError('nInformative', o.nInformative, 'at least log2(nClasses * nClustersPerClass), so every cluster gets its own vertex');
  }
  if (!(o.flipY <= 1) || !Number.isFinite(o.classSep)) {
    throw new DatasetArgumentError('flipY / classSep', [o.flipY, o.classSep], 'flipY ≤ 1 and a finite classSep');
  }
  return o;
}

function classWeights(weights: number[] | undefined, nClasses: number): number[] {
  if (weights === undefined) return new Array<number>(nClasses).fill(1 / nClasses);
  if (weights.length === nClasses - 1) return [...weights, 1 - weights.reduce((a, b) => a + b, 0)];
  if (weights.length !== nClasses) throw new DatasetArgumentError('weights', weights, `${nClasses} or ${nClasses - 1} class weights`);
  return weights;
}

function perFeature(value: number | number[] | null | undefined, n: number, field: string, random: () => number): number[] {
  if (value === null) return draw(n, random);
  if (typeof value === 'number' || value === undefined) return new Array<number>(n).fill(value ?? 0);
  if (value.length !== n) throw new DatasetArgumentError(field, value, `one number, ${n} numbers, or null`);
  return value;
}

function randomMatrix(rng: RandomState, rows: number, cols: number): number[][] {
  return draw(rows, () => draw(cols, () => 2 * rng.randomSample() - 1));
}

/** `row[0:k] · M` for a k × m matrix M. */
function multiply(row: number[], M: number[][], k: number): number[] {
  const out = new Array<number>(M[0].length).fill(0);
  for (let i = 0; i < k; i++) for (let j = 0; j < out.length; j++) out[j] += row[i] * M[i][j];
  return out;
}

function draw<T>(n: number, f: () => T): T[] {
  return Array.from({ length: n }, f);
}
