import { checkRows, checkTargets } from './_check-input.js';
import { minimizeLbfgs } from './_lbfgs.js';
import { type LogisticProblem, meanLogLoss, objective, scores, stride, toProbabilities } from './_logistic-loss.js';
import { InvalidInputError, ModelFormatError } from './errors.js';

export interface LogisticRegressionParams {
  /** Inverse of the L2 penalty strength, as in scikit-learn: the penalty is `||W||² / (2C)`. Default 1. */
  C?: number;
  /** Learn an (unpenalised) intercept. Default true. */
  fitIntercept?: boolean;
  /** Most L-BFGS iterations. Default 100. */
  maxIter?: number;
  /** Stop when no gradient component of the mean objective exceeds this. Default 1e-4 (scikit-learn's). */
  tol?: number;
  /** `auto`: one sigmoid output for two classes, softmax for more. `multinomial`: softmax always. */
  multiClass?: 'auto' | 'multinomial';
  /** Rows whose mean log-loss is recorded after every iteration in `history.validation`. */
  validation?: { X: number[][]; y: number[] };
}

export type LogisticRegressionSettings = Required<Omit<LogisticRegressionParams, 'validation'>>;

/** Per-iteration mean log-loss (without the penalty) on the training rows and on the validation rows. */
export interface TrainingHistory {
  train: number[];
  validation?: number[];
}

/** The JSON form of a {@link LogisticRegressionModel}. */
export interface LogisticRegressionJSON {
  format: 'git-ml.logistic-regression';
  version: 1;
  classes: number[];
  nFeatures: number;
  /** One row of weights per output: one output for binary models, one per class for softmax ones. */
  coef: number[][];
  intercept: number[];
  params: LogisticRegressionSettings;
  nIter: number;
  converged: boolean;
  history: TrainingHistory;
}

const DEFAULTS: LogisticRegressionSettings = { C: 1, fitIntercept: true, maxIter: 100, tol: 1e-4, multiClass: 'auto' };

/**
 * Fits an L2-regularised logistic regression the way scikit-learn's `LogisticRegression()` does
 * (same loss, same penalty, L-BFGS), for two or more classes. Labels may be any numbers; they are
 * sorted into `model.classes`.
 *
 * @example
 * const model = fitLogisticRegression(xTrain, yTrain, { C: 1 });
 * model.predict(xTest); // class labels
 * model.predictProba(xTest); // one probability per class, in model.classes order
 */
export function fitLogisticRegression(X: number[][], y: number[], params: LogisticRegressionParams = {}): LogisticRegressionModel {
  const settings = { ...DEFAULTS, ...withoutUndefined(params) } as LogisticRegressionSettings & Pick<LogisticRegressionParams, 'validation'>;
  const { validation, ...kept } = settings;
  if (!(kept.C > 0)) throw new InvalidInputError(`C must be a positive number; got ${String(kept.C)}.`, { field: 'C' });
  if (!(Number.isInteger(kept.maxIter) && kept.maxIter >= 1)) throw new InvalidInputError(`maxIter must be a positive integer; got ${String(kept.maxIter)}.`, { field: 'maxIter' });
  const d = checkRows(X);
  checkTargets(y, X.length);
  const classes = [...new Set(y)].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new InvalidInputError(`y holds a single class (${classes[0]}); logistic regression needs at least two.`, { classes });
  }
  const outputs = classes.length === 2 && kept.multiClass === 'auto' ? 1 : classes.length;
  const train = problem(X, y, classes, outputs, kept, 'y');
  const valid = validation && (checkRows(validation.X, d, 'validation.X'), problem(validation.X, validation.y, classes, outputs, kept, 'validation.y'));

  const history: TrainingHistory = { train: [], ...(valid ? { validation: [] } : {}) };
  const result = minimizeLbfgs(objective(train), new Float64Array(outputs * stride(train)), {
    maxIter: kept.maxIter,
    gtol: kept.tol,
    ftol: 64 * Number.EPSILON,
    onIteration: (x) => {
      history.train.push(meanLogLoss(train, x));
      if (valid) history.validation!.push(meanLogLoss(valid, x));
    },
  });
  const s = stride(train);
  const coef = Array.from({ length: outputs }, (_, k) => Array.from(result.x.subarray(k * s, k * s + d)));
  const intercept = Array.from({ length: outputs }, (_, k) => (kept.fitIntercept ? result.x[k * s + d] : 0));
  return new LogisticRegressionModel({
    format: 'git-ml.logistic-regression', version: 1, classes, nFeatures: d, coef, intercept, params: kept,
    nIter: result.iterations, converged: result.converged, history,
  });
}

/** A trained logistic regression: plain data plus prediction. Build one with {@link fitLogisticRegression}. */
export class LogisticRegressionModel {
  readonly classes: number[];
  readonly nFeatures: number;
  readonly coef: number[][];
  readonly intercept: number[];
  readonly params: LogisticRegressionSettings;
  /** L-BFGS iterations run, and whether the tolerance was reached within `maxIter`. */
  readonly nIter: number;
  readonly converged: boolean;
  readonly history: TrainingHistory;
  private readonly weights: Float64Array;
  private readonly z: Float64Array;

  constructor(json: LogisticRegressionJSON) {
    this.classes = json.classes;
    this.nFeatures = json.nFeatures;
    this.coef = json.coef;
    this.intercept = json.intercept;
    this.params = json.params;
    this.nIter = json.nIter;
    this.converged = json.converged;
    this.history = json.history;
    this.weights = Float64Array.from(json.coef.flatMap((w, k) => [...w, json.intercept[k]]));
    this.z = new Float64Array(json.coef.length);
  }

  /** The probability of each class for each row, columns in `classes` order. */
  predictProba(rows: number[][]): number[][] {
    checkRows(rows, this.nFeatures, 'rows');
    return rows.map((row) => {
      this.score(row);
      return this.z.length === 1 ? [1 - this.z[0], this.z[0]] : Array.from(this.z);
    });
  }

  /** The most probable class of each row. */
  predict(rows: number[][]): number[] {
    checkRows(rows, this.nFeatures, 'rows');
    return rows.map((row) => {
      this.score(row);
      if (this.z.length === 1) return this.classes[this.z[0] > 0.5 ? 1 : 0];
      let best = 0;
      for (let k = 1; k < this.z.length; k++) if (this.z[k] > this.z[best]) best = k;
      return this.classes[best];
    });
  }

  toJSON(): LogisticRegressionJSON {
    return {
      format: 'git-ml.logistic-regression', version: 1, classes: this.classes, nFeatures: this.nFeatures, coef: this.coef,
      intercept: this.intercept, params: this.params, nIter: this.nIter, converged: this.converged, history: this.history,
    };
  }

  /** Rebuilds a model from {@link LogisticRegressionModel.toJSON}'s output, checking its shape. */
  static fromJSON(json: unknown): LogisticRegressionModel {
    const j = json as LogisticRegressionJSON;
    if (j?.format !== 'git-ml.logistic-regression') throw new ModelFormatError(`expected format "git-ml.logistic-regression", found ${JSON.stringify(j?.format)}.`);
    if (j.version !== 1) throw new ModelFormatError(`format version ${j.version} is newer than this package reads (1); upgrade @git-ml/flavor-linear.`);
    const outputs = j.classes?.length === 2 ? [1, 2] : [j.classes?.length];
    const ok = Array.isArray(j.coef) && outputs.includes(j.coef.length) && j.intercept?.length === j.coef.length &&
      j.coef.every((w) => Array.isArray(w) && w.length === j.nFeatures && w.every(Number.isFinite)) && j.intercept.every(Number.isFinite);
    if (!ok) throw new ModelFormatError('coef must hold one row of nFeatures finite weights per output and intercept one number per output.');
    return new LogisticRegressionModel({ ...j, history: j.history ?? { train: [] } });
  }

  private score(row: number[]): void {
    scores(this.weights, row, 0, this.nFeatures, this.z.length, true, this.z);
    toProbabilities(this.z);
  }
}

function problem(X: number[][], y: number[], classes: number[], outputs: number, s: LogisticRegressionSettings, what: string): LogisticProblem {
  checkTargets(y, X.length, what);
  const d = X[0].length;
  const labels = Int32Array.from(y, (v, i) => {
    const k = classes.indexOf(v);
    if (k < 0) throw new InvalidInputError(`${what}[${i}] is ${v}, a class the training labels do not contain (${classes.join(', ')}).`, { row: i });
    return k;
  });
  const flat = new Float64Array(X.length * d);
  X.forEach((row, i) => flat.set(row, i * d));
  return { X: flat, n: X.length, d, labels, outputs, fitIntercept: s.fitIntercept, C: s.C };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
