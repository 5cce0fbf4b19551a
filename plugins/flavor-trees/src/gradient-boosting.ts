import { RandomState } from '@git-ml/datasets';
import { checkRows, checkTargets } from './_check-input.js';
import { ForestBuilder } from './flat-forest.js';
import { growTree, presort } from './_grow-tree.js';
import { OBJECTIVES, type ObjectiveName } from './objectives.js';
import { InvalidInputError } from './errors.js';
import { GradientBoostingModel, type GradientBoostingSettings } from './gradient-boosting-model.js';

export interface GradientBoostingParams {
  /** `binary:logistic` (two classes, any two label values) or `reg:squarederror`. Default `binary:logistic`. */
  objective?: ObjectiveName;
  /** Number of boosting rounds (trees). Default 100. */
  nEstimators?: number;
  /** Shrinks every tree's contribution (XGBoost's `eta`). Default 0.3. */
  learningRate?: number;
  /** Depth of every tree; a tree of depth 3 has up to 8 leaves. Default 3. */
  maxDepth?: number;
  /** Fraction of rows (drawn anew for every tree, seeded) each tree is grown on. Default 1. */
  subsample?: number;
  /** L2 penalty on leaf values (XGBoost's `lambda`). Default 1. */
  lambda?: number;
  /** Least loss reduction a split must achieve (XGBoost's `gamma`). Default 0. */
  gamma?: number;
  /** Least hessian sum in each child of a split (XGBoost's `min_child_weight`). Default 1. */
  minChildWeight?: number;
  /** Seed for row subsampling. Default 0. */
  seed?: number;
  /** Rows scored after every round into `history.validation`, and used for early stopping. */
  validation?: { X: number[][]; y: number[] };
  /** Stop when the validation loss has not improved for this many rounds, and keep the best round's trees. */
  earlyStoppingRounds?: number;
  /** Called after every round, for progress reports. */
  onIteration?: (round: number, trainLoss: number, validationLoss: number | undefined) => void;
}

const DEFAULTS: GradientBoostingSettings = {
  objective: 'binary:logistic',
  nEstimators: 100,
  learningRate: 0.3,
  maxDepth: 3,
  subsample: 1,
  lambda: 1,
  gamma: 0,
  minChildWeight: 1,
  seed: 0,
  earlyStoppingRounds: null,
};

/**
 * Trains gradient-boosted trees, git-ml's pure-TypeScript counterpart of XGBoost's `gbtree`
 * booster: each round fits a tree to the loss's gradients and hessians (exact greedy splits,
 * second-order gain, Newton leaf values), shrinks it by the learning rate, and adds it to the model.
 *
 * @example
 * const model = fitGradientBoosting(xTrain, yTrain, { nEstimators: 100, maxDepth: 3, learningRate: 0.3 });
 * model.predictProba(xTest); // [[p(classes[0]), p(classes[1])], …]
 * model.featureImportances; // normalised total gain per feature
 */
export function fitGradientBoosting(X: number[][], y: number[], params: GradientBoostingParams = {}): GradientBoostingModel {
  const { validation, onIteration, ...rest } = params;
  const s: GradientBoostingSettings = { ...DEFAULTS, ...withoutUndefined(rest) };
  checkSettings(s);
  const d = checkRows(X);
  checkTargets(y, X.length);
  const objective = OBJECTIVES[s.objective];
  const classes = s.objective === 'binary:logistic' ? binaryClasses(y) : undefined;
  const t = encodeTargets(y, classes, 'y');
  if (s.earlyStoppingRounds !== null && !validation) {
    throw new InvalidInputError('earlyStoppingRounds needs a validation set: pass validation: { X, y }.', { field: 'earlyStoppingRounds' });
  }
  if (validation) checkRows(validation.X, d, 'validation.X');
  const vt = validation && (checkTargets(validation.y, validation.X.length, 'validation.y'), encodeTargets(validation.y, classes, 'validation.y'));

  const data = presort(X);
  const n = X.length;
  const baseScore = objective.baseScore(t);
  const F = new Float64Array(n).fill(baseScore);
  const VF = new Float64Array(vt?.length ?? 0).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const inSample = new Uint8Array(n).fill(1);
  const rng = new RandomState(s.seed);
  const builder = new ForestBuilder(1);
  const history: { train: number[]; validation?: number[] } = { train: [], ...(vt ? { validation: [] } : {}) };
  const growParams = { maxDepth: s.maxDepth, lambda: s.lambda, gamma: s.gamma, minChildWeight: s.minChildWeight, eta: s.learningRate };
  let best = { round: -1, loss: Infinity };

  for (let round = 0; round < s.nEstimators; round++) {
    objective.gradients(t, F, g, h);
    if (s.subsample < 1) for (let i = 0; i < n; i++) inSample[i] = rng.randomSample() < s.subsample ? 1 : 0;
    const delta = growTree(data, g, h, inSample, growParams, builder);
    for (let i = 0; i < n; i++) F[i] += delta[i];
    history.train.push(objective.loss(t, F));
    let validLoss: number | undefined;
    if (vt) {
      validation!.X.forEach((row, i) => (VF[i] += builder.predictTree(round, row)));
      validLoss = objective.loss(vt, VF);
      history.validation!.push(validLoss);
      if (validLoss < best.loss) best = { round, loss: validLoss };
    }
    onIteration?.(round, history.train[round], validLoss);
    if (s.earlyStoppingRounds !== null && round - best.round >= s.earlyStoppingRounds) break;
  }

  const forest = builder.build();
  const kept = s.earlyStoppingRounds !== null ? best.round + 1 : forest.nTrees;
  return new GradientBoostingModel({
    format: 'git-ml.gradient-boosting', version: 1, objective: s.objective, ...(classes ? { classes } : {}), nFeatures: d, baseScore,
    params: s, bestIteration: s.earlyStoppingRounds !== null ? best.round : kept - 1, history, trees: forest.truncate(kept).toJSON(),
  });
}

function checkSettings(s: GradientBoostingSettings): void {
  const fail = (field: string, expected: string) => {
    throw new InvalidInputError(`${field} must be ${expected}; got ${String(s[field as keyof GradientBoostingSettings])}.`, { field });
  };
  if (!(s.objective in OBJECTIVES)) fail('objective', `one of ${Object.keys(OBJECTIVES).join(', ')}`);
  if (!(Number.isInteger(s.nEstimators) && s.nEstimators >= 1)) fail('nEstimators', 'a positive integer');
  if (!(Number.isInteger(s.maxDepth) && s.maxDepth >= 0)) fail('maxDepth', 'a non-negative integer');
  if (!(s.learningRate > 0 && s.learningRate <= 1)) fail('learningRate', 'in (0, 1]');
  if (!(s.subsample > 0 && s.subsample <= 1)) fail('subsample', 'in (0, 1]');
  if (!(s.lambda >= 0 && s.gamma >= 0 && s.minChildWeight >= 0)) fail('lambda, gamma and minChildWeight', '≥ 0');
  if (s.earlyStoppingRounds !== null && !(Number.isInteger(s.earlyStoppingRounds) && s.earlyStoppingRounds >= 1)) fail('earlyStoppingRounds', 'a positive integer');
}

function binaryClasses(y: number[]): number[] {
  const classes = [...new Set(y)].sort((a, b) => a - b);
  if (classes.length !== 2) {
    throw new InvalidInputError(
      `binary:logistic needs exactly two classes in y; found ${classes.length}${classes.length > 2 ? '' : ` (${classes.join(', ')})`}. ` +
        "For a numeric target pass objective: 'reg:squarederror'.",
      { classes: classes.slice(0, 10) },
    );
  }
  return classes;
}

function encodeTargets(y: number[], classes: number[] | undefined, what: string): Float64Array {
  if (!classes) return Float64Array.from(y);
  return Float64Array.from(y, (v, i) => {
    if (v !== classes[0] && v !== classes[1]) {
      throw new InvalidInputError(`${what}[${i}] is ${v}, not one of the training classes (${classes.join(', ')}).`, { row: i });
    }
    return v === classes[1] ? 1 : 0;
  });
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
