import { checkRows, checkTargets } from './_check-input.js';
import { leastSquares } from './_least-squares.js';
import { InvalidInputError, ModelFormatError } from './errors.js';
import type { TrainingHistory } from './logistic-regression.js';

export interface LinearRegressionParams {
  /** L2 penalty `alpha · ||w||²` on the weights (ridge regression); 0 gives ordinary least squares. Default 0. */
  alpha?: number;
  /** Learn an (unpenalised) intercept. Default true. */
  fitIntercept?: boolean;
  /** Rows whose mean squared error is recorded in `history.validation`. */
  validation?: { X: number[][]; y: number[] };
}

export type LinearRegressionSettings = Required<Omit<LinearRegressionParams, 'validation'>>;

/** The JSON form of a {@link LinearRegressionModel}. */
export interface LinearRegressionJSON {
  format: 'git-ml.linear-regression';
  version: 1;
  nFeatures: number;
  coef: number[];
  intercept: number;
  params: LinearRegressionSettings;
  /** Mean squared error of the fit: one entry, since the solution is direct. */
  history: TrainingHistory;
}

/**
 * Fits ordinary least squares, or ridge regression when `alpha > 0`, like scikit-learn's
 * `LinearRegression` / `Ridge`: the intercept is found by centring, so it is never penalised, and
 * the weights come from a Householder QR solve (no normal equations, no iteration).
 *
 * @example
 * const model = fitLinearRegression(X, y, { alpha: 0.1 });
 * model.predict([[1, 2, 3]]);
 */
export function fitLinearRegression(X: number[][], y: number[], params: LinearRegressionParams = {}): LinearRegressionModel {
  const alpha = params.alpha ?? 0;
  const fitIntercept = params.fitIntercept ?? true;
  if (!(alpha >= 0 && Number.isFinite(alpha))) throw new InvalidInputError(`alpha must be a finite number ≥ 0; got ${String(alpha)}.`, { field: 'alpha' });
  const d = checkRows(X);
  checkTargets(y, X.length);
  const n = X.length;
  const xMean = new Float64Array(d);
  let yMean = 0;
  if (fitIntercept) {
    for (const row of X) row.forEach((v, j) => (xMean[j] += v / n));
    yMean = y.reduce((s, v) => s + v, 0) / n;
  }
  // Ridge as least squares on [X; √alpha·I] and [y; 0].
  const extra = alpha > 0 ? d : 0;
  const A = new Float64Array((n + extra) * d);
  const b = new Float64Array(n + extra);
  X.forEach((row, i) => {
    row.forEach((v, j) => (A[i * d + j] = v - xMean[j]));
    b[i] = y[i] - yMean;
  });
  for (let j = 0; j < extra; j++) A[(n + j) * d + j] = Math.sqrt(alpha);
  if (n + extra < d) {
    throw new InvalidInputError(`X has ${n} rows but ${d} features; least squares needs at least as many rows, or alpha > 0.`, { rows: n, features: d });
  }
  const w = leastSquares(A, b, n + extra, d);
  const coef = Array.from(w);
  const intercept = fitIntercept ? yMean - coef.reduce((s, c, j) => s + c * xMean[j], 0) : 0;
  const model = new LinearRegressionModel({
    format: 'git-ml.linear-regression', version: 1, nFeatures: d, coef, intercept, params: { alpha, fitIntercept }, history: { train: [] },
  });
  model.history.train.push(meanSquaredError(model.predict(X), y));
  if (params.validation) {
    checkRows(params.validation.X, d, 'validation.X');
    checkTargets(params.validation.y, params.validation.X.length, 'validation.y');
    model.history.validation = [meanSquaredError(model.predict(params.validation.X), params.validation.y)];
  }
  return model;
}

/** A trained linear regression: plain data plus prediction. Build one with {@link fitLinearRegression}. */
export class LinearRegressionModel {
  readonly nFeatures: number;
  readonly coef: number[];
  readonly intercept: number;
  readonly params: LinearRegressionSettings;
  readonly history: TrainingHistory;

  constructor(json: LinearRegressionJSON) {
    this.nFeatures = json.nFeatures;
    this.coef = json.coef;
    this.intercept = json.intercept;
    this.params = json.params;
    this.history = json.history;
  }

  /** `intercept + coef · row` for each row. */
  predict(rows: number[][]): number[] {
    checkRows(rows, this.nFeatures, 'rows');
    return rows.map((row) => {
      let v = this.intercept;
      for (let j = 0; j < row.length; j++) v += this.coef[j] * row[j];
      return v;
    });
  }

  toJSON(): LinearRegressionJSON {
    return {
      format: 'git-ml.linear-regression', version: 1, nFeatures: this.nFeatures, coef: this.coef, intercept: this.intercept,
      params: this.params, history: this.history,
    };
  }

  /** Rebuilds a model from {@link LinearRegressionModel.toJSON}'s output, checking its shape. */
  static fromJSON(json: unknown): LinearRegressionModel {
    const j = json as LinearRegressionJSON;
    if (j?.format !== 'git-ml.linear-regression') throw new ModelFormatError(`expected format "git-ml.linear-regression", found ${JSON.stringify(j?.format)}.`);
    if (j.version !== 1) throw new ModelFormatError(`format version ${j.version} is newer than this package reads (1); upgrade @git-ml/flavor-linear.`);
    if (!Array.isArray(j.coef) || j.coef.length !== j.nFeatures || !j.coef.every(Number.isFinite) || !Number.isFinite(j.intercept)) {
      throw new ModelFormatError('coef must hold nFeatures finite numbers and intercept one finite number.');
    }
    return new LinearRegressionModel({ ...j, history: j.history ?? { train: [] } });
  }
}

function meanSquaredError(predicted: number[], y: number[]): number {
  return predicted.reduce((s, p, i) => s + (p - y[i]) ** 2, 0) / y.length;
}
