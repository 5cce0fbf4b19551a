import { ModelFormatError } from './errors.js';

/** The JSON form of a {@link FlatForest}: parallel arrays, one entry per node. */
export interface FlatForestJSON {
  /** Numbers stored at each leaf: 1 for boosted trees and regression, one per class otherwise. */
  valueWidth: number;
  /** The root node of each tree. */
  roots: number[];
  /** Split feature of each node; -1 marks a leaf. A row goes left when `row[feature] < threshold`. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** The loss reduction each split achieved (0 at leaves), for feature importances. */
  gain: number[];
  /** `valueWidth` numbers per node; only leaves' are used. */
  value: number[];
}

/**
 * Trees stored as flat typed arrays, so that predicting one row is a few hundred array reads with
 * no allocation. Children always come after their parent, which makes every walk terminate.
 */
export class FlatForest {
  constructor(
    readonly valueWidth: number,
    readonly roots: Int32Array,
    readonly feature: Int32Array,
    readonly threshold: Float64Array,
    readonly left: Int32Array,
    readonly right: Int32Array,
    readonly gain: Float64Array,
    readonly value: Float64Array,
  ) {}

  get nTrees(): number {
    return this.roots.length;
  }

  /** The leaf that `row` reaches in tree `t`. */
  leaf(t: number, row: ArrayLike<number>): number {
    let node = this.roots[t];
    while (this.feature[node] >= 0) node = row[this.feature[node]] < this.threshold[node] ? this.left[node] : this.right[node];
    return node;
  }

  /** The sum of the first `nTrees` trees' leaf values for `row` (valueWidth 1). */
  sum(row: ArrayLike<number>, nTrees = this.roots.length): number {
    const { feature, threshold, left, right, value } = this;
    let total = 0;
    for (let t = 0; t < nTrees; t++) {
      let node = this.roots[t];
      while (feature[node] >= 0) node = row[feature[node]] < threshold[node] ? left[node] : right[node];
      total += value[node];
    }
    return total;
  }

  /** The total split gain per feature over the first `nTrees` trees, and the number of splits. */
  splitStats(nFeatures: number, nTrees = this.roots.length): { gain: number[]; count: number[] } {
    const gain = new Array<number>(nFeatures).fill(0);
    const count = new Array<number>(nFeatures).fill(0);
    const end = nTrees < this.roots.length ? this.roots[nTrees] : this.feature.length;
    for (let node = 0; node < end; node++) {
      const f = this.feature[node];
      if (f >= 0) {
        gain[f] += this.gain[node];
        count[f] += 1;
      }
    }
    return { gain, count };
  }

  /** A copy holding only the first `nTrees` trees (trees are stored one after another). */
  truncate(nTrees: number): FlatForest {
    if (nTrees >= this.roots.length) return this;
    const end = this.roots[nTrees];
    const w = this.valueWidth;
    return new FlatForest(w, this.roots.slice(0, nTrees), this.feature.slice(0, end), this.threshold.slice(0, end), this.left.slice(0, end),
      this.right.slice(0, end), this.gain.slice(0, end), this.value.slice(0, end * w));
  }

  toJSON(): FlatForestJSON {
    return {
      valueWidth: this.valueWidth, roots: Array.from(this.roots), feature: Array.from(this.feature), threshold: Array.from(this.threshold),
      left: Array.from(this.left), right: Array.from(this.right), gain: Array.from(this.gain), value: Array.from(this.value),
    };
  }

  /** Rebuilds a forest from JSON, checking that every walk stays inside the arrays and terminates. */
  static fromJSON(json: FlatForestJSON, nFeatures: number): FlatForest {
    const j = json ?? ({} as FlatForestJSON);
    const n = Array.isArray(j.feature) ? j.feature.length : -1;
    const arrays = [j.roots, j.threshold, j.left, j.right, j.gain, j.value];
    if (n < 1 || !Number.isInteger(j.valueWidth) || j.valueWidth < 1 || !arrays.every((a) => Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
      throw new ModelFormatError('the trees must be arrays of finite numbers (feature, threshold, left, right, gain, value, roots) and valueWidth ≥ 1.');
    }
    if ([j.threshold, j.left, j.right, j.gain].some((a) => a.length !== n) || j.value.length !== n * j.valueWidth) {
      throw new ModelFormatError(`the node arrays disagree in length (feature has ${n} entries).`);
    }
    j.roots.forEach((r, t) => {
      const end = t + 1 < j.roots.length ? j.roots[t + 1] : n;
      if (!Number.isInteger(r) || r < 0 || r >= end) throw new ModelFormatError(`tree ${t} has an invalid root ${r}.`);
    });
    for (let i = 0; i < n; i++) {
      const f = j.feature[i];
      if (f === -1) continue;
      const childOk = (c: number) => Number.isInteger(c) && c > i && c < n;
      if (!Number.isInteger(f) || f < 0 || f >= nFeatures || !childOk(j.left[i]) || !childOk(j.right[i])) {
        throw new ModelFormatError(`node ${i} has an invalid split (feature ${f}, children ${j.left[i]} and ${j.right[i]}).`);
      }
    }
    return new FlatForest(j.valueWidth, Int32Array.from(j.roots), Int32Array.from(j.feature), Float64Array.from(j.threshold),
      Int32Array.from(j.left), Int32Array.from(j.right), Float64Array.from(j.gain), Float64Array.from(j.value));
  }
}

/** Collects nodes tree by tree and freezes them into a {@link FlatForest}. */
export class ForestBuilder {
  private readonly roots: number[] = [];
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly gain: number[] = [];
  private readonly value: number[] = [];

  constructor(readonly valueWidth = 1) {}

  /** Starts a new tree; the next node added is its root. */
  startTree(): void {
    this.roots.push(this.feature.length);
  }

  /** Adds a node (a leaf until {@link split} is called on it) and returns its index. */
  addNode(value: ArrayLike<number> = [0]): number {
    const index = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.gain.push(0);
    for (let k = 0; k < this.valueWidth; k++) this.value.push(value[k] ?? 0);
    return index;
  }

  split(node: number, feature: number, threshold: number, gain: number, left: number, right: number): void {
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.gain[node] = gain;
    this.left[node] = left;
    this.right[node] = right;
  }

  setValue(node: number, value: ArrayLike<number>): void {
    for (let k = 0; k < this.valueWidth; k++) this.value[node * this.valueWidth + k] = value[k];
  }

  /** The leaf value (valueWidth 1) that `row` reaches in tree `t`, before the forest is built. */
  predictTree(t: number, row: ArrayLike<number>): number {
    let node = this.roots[t];
    while (this.feature[node] >= 0) node = row[this.feature[node]] < this.threshold[node] ? this.left[node] : this.right[node];
    return this.value[node];
  }

  build(): FlatForest {
    return new FlatForest(this.valueWidth, Int32Array.from(this.roots), Int32Array.from(this.feature), Float64Array.from(this.threshold),
      Int32Array.from(this.left), Int32Array.from(this.right), Float64Array.from(this.gain), Float64Array.from(this.value));
  }
}
