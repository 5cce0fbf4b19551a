import { type CartNode, DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import { checkRows, checkTargets } from './_check-input.js';
import { FlatForest, type FlatForestJSON, ForestBuilder } from './flat-forest.js';
import { recordImpurityDecrease } from './_impurity.js';
import { InvalidInputError, ModelFormatError } from './errors.js';

export interface DecisionTreeParams {
  /** Predict a class (Gini splits) or a value (squared-error splits). Default `classification`. */
  task?: 'classification' | 'regression';
  /** Deepest level that may still split; Infinity for none. Default Infinity (ml-cart's). */
  maxDepth?: number;
  /** A node with this many rows or fewer becomes a leaf. Default 3 (ml-cart's). */
  minNumSamples?: number;
  /** Classification only: least Gini gain a split must achieve. Default 0.01 (ml-cart's). */
  gainThreshold?: number;
}

export interface DecisionTreeSettings {
  task: 'classification' | 'regression';
  /** null when unlimited. */
  maxDepth: number | null;
  minNumSamples: number;
  /** null for regression trees, which have no such threshold. */
  gainThreshold: number | null;
}

/** The JSON form of a {@link DecisionTreeModel}. */
export interface DecisionTreeJSON {
  format: 'git-ml.decision-tree';
  version: 1;
  task: 'classification' | 'regression';
  classes?: number[];
  nFeatures: number;
  params: DecisionTreeSettings;
  /** One entry: the training error rate (classification) or mean squared error (regression). */
  history: { train: number[]; validation?: number[] };
  tree: FlatForestJSON;
}

/**
 * Trains one CART decision tree with ml-cart (`DecisionTreeClassifier` or
 * `DecisionTreeRegression`) and keeps it in git-ml's flat form for fast prediction and plain-JSON
 * storage. Class labels may be any numbers; leaves store class frequencies.
 *
 * @example
 * const tree = fitDecisionTree(X, y, { maxDepth: 5 });
 * tree.predictProba(rows);
 */
export function fitDecisionTree(X: number[][], y: number[], params: DecisionTreeParams = {}): DecisionTreeModel {
  const task = params.task ?? 'classification';
  const settings: DecisionTreeSettings = {
    task,
    maxDepth: params.maxDepth === undefined || params.maxDepth === Infinity ? null : params.maxDepth,
    minNumSamples: params.minNumSamples ?? 3,
    gainThreshold: task === 'classification' ? (params.gainThreshold ?? 0.01) : null,
  };
  if (settings.maxDepth !== null && !(Number.isInteger(settings.maxDepth) && settings.maxDepth >= 0)) {
    throw new InvalidInputError(`maxDepth must be a non-negative integer or Infinity; got ${String(params.maxDepth)}.`, { field: 'maxDepth' });
  }
  const d = checkRows(X);
  checkTargets(y, X.length);
  const classes = task === 'classification' ? [...new Set(y)].sort((a, b) => a - b) : undefined;
  const targets = classes ? y.map((v) => classes.indexOf(v)) : y;
  // ml-cart's regression nodes compare the squared error left after a split with gainThreshold and
  // split only above it, which refuses a split that explains a node perfectly; -1 lets those through.
  const options = { minNumSamples: settings.minNumSamples, maxDepth: settings.maxDepth ?? Infinity, gainThreshold: settings.gainThreshold ?? -1 };
  const cart = classes ? new DecisionTreeClassifier({ ...options, gainFunction: 'gini' }) : new DecisionTreeRegression({ ...options, gainFunction: 'regression' });
  cart.train(X, targets);

  const builder = new ForestBuilder(classes?.length ?? 1);
  builder.startTree();
  copyNode(cart.root, builder, classes?.length ?? 0);
  const forest = builder.build();
  recordImpurityDecrease(forest, X, targets, classes?.length ?? 0);
  const model = new DecisionTreeModel({
    format: 'git-ml.decision-tree', version: 1, task, ...(classes ? { classes } : {}), nFeatures: d, params: settings,
    history: { train: [] }, tree: forest.toJSON(),
  });
  const predicted = model.predict(X);
  model.history.train.push(classes ? predicted.filter((p, i) => p !== y[i]).length / y.length : predicted.reduce((s, p, i) => s + (p - y[i]) ** 2, 0) / y.length);
  return model;
}

/** Copies an ml-cart subtree depth-first, so that children always come after their parent. */
function copyNode(node: CartNode, builder: ForestBuilder, nClasses: number): number {
  const index = builder.addNode();
  if (node.left && node.right) {
    const left = copyNode(node.left, builder, nClasses);
    const right = copyNode(node.right, builder, nClasses);
    builder.split(index, node.splitColumn!, node.splitValue!, 0, left, right);
  } else {
    const dist = node.distribution;
    const values = typeof dist === 'number' ? [dist] : (dist?.to1DArray() ?? []);
    builder.setValue(index, Array.from({ length: Math.max(nClasses, 1) }, (_, k) => values[k] ?? 0));
  }
  return index;
}

/** A trained decision tree. Build one with {@link fitDecisionTree}. */
export class DecisionTreeModel {
  readonly task: 'classification' | 'regression';
  readonly classes?: number[];
  readonly nFeatures: number;
  readonly params: DecisionTreeSettings;
  readonly history: { train: number[]; validation?: number[] };
  private readonly tree: FlatForest;

  constructor(json: DecisionTreeJSON) {
    this.task = json.task;
    if (json.classes) this.classes = json.classes;
    this.nFeatures = json.nFeatures;
    this.params = json.params;
    this.history = json.history;
    this.tree = FlatForest.fromJSON(json.tree, json.nFeatures);
  }

  /** Mean impurity decrease per feature (Gini or variance), normalised to sum to 1, as in scikit-learn. */
  get featureImportances(): number[] {
    const { gain } = this.tree.splitStats(this.nFeatures);
    const total = gain.reduce((a, b) => a + b, 0);
    return gain.map((g) => (total > 0 ? g / total : 0));
  }

  /** The class (most frequent in the row's leaf) or the value (the leaf's mean) of each row. */
  predict(rows: number[][]): number[] {
    checkRows(rows, this.nFeatures, 'rows');
    const w = this.tree.valueWidth;
    return rows.map((row) => {
      const leaf = this.tree.leaf(0, row);
      if (!this.classes) return this.tree.value[leaf];
      let best = 0;
      for (let k = 1; k < w; k++) if (this.tree.value[leaf * w + k] > this.tree.value[leaf * w + best]) best = k;
      return this.classes[best];
    });
  }

  /** The class frequencies in each row's leaf, columns in `classes` order. */
  predictProba(rows: number[][]): number[][] {
    if (!this.classes) throw new InvalidInputError('predictProba needs a classification tree; this one does regression. Use predict.', { task: this.task });
    checkRows(rows, this.nFeatures, 'rows');
    const w = this.tree.valueWidth;
    return rows.map((row) => {
      const leaf = this.tree.leaf(0, row);
      return Array.from(this.tree.value.subarray(leaf * w, (leaf + 1) * w));
    });
  }

  toJSON(): DecisionTreeJSON {
    return {
      format: 'git-ml.decision-tree', version: 1, task: this.task, ...(this.classes ? { classes: this.classes } : {}), nFeatures: this.nFeatures,
      params: this.params, history: this.history, tree: this.tree.toJSON(),
    };
  }

  /** Rebuilds a model from {@link DecisionTreeModel.toJSON}'s output, checking its shape and its tree. */
  static fromJSON(json: unknown): DecisionTreeModel {
    const j = json as DecisionTreeJSON;
    if (j?.format !== 'git-ml.decision-tree') throw new ModelFormatError(`expected format "git-ml.decision-tree", found ${JSON.stringify(j?.format)}.`);
    if (j.version !== 1) throw new ModelFormatError(`format version ${j.version} is newer than this package reads (1); upgrade @git-ml/flavor-trees.`);
    if (j.task !== 'classification' && j.task !== 'regression') throw new ModelFormatError(`unknown task ${JSON.stringify(j.task)}.`);
    const width = j.task === 'classification' ? (Array.isArray(j.classes) ? j.classes.length : -1) : 1;
    if (j.tree?.valueWidth !== width) throw new ModelFormatError('the tree must store one value per class (classification) or one value (regression).');
    if (!Number.isInteger(j.nFeatures) || j.nFeatures < 1) throw new ModelFormatError('nFeatures must be a positive integer.');
    return new DecisionTreeModel({ ...j, history: j.history ?? { train: [] } });
  }
}
