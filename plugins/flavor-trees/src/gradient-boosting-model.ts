import { checkRows } from './_check-input.js';
import { FlatForest, type FlatForestJSON } from './flat-forest.js';
import { OBJECTIVES, type ObjectiveName, sigmoid } from './objectives.js';
import { InvalidInputError, ModelFormatError } from './errors.js';

/** Every training setting of a gradient-boosted model, defaults filled in. */
export interface GradientBoostingSettings {
  objective: ObjectiveName;
  nEstimators: number;
  learningRate: number;
  maxDepth: number;
  subsample: number;
  lambda: number;
  gamma: number;
  minChildWeight: number;
  seed: number;
  earlyStoppingRounds: number | null;
}

/** Mean loss after every round: log-loss for `binary:logistic`, mean squared error for `reg:squarederror`. */
export interface BoostingHistory {
  train: number[];
  validation?: number[];
}

/** The kinds of feature importance: total gain, mean gain per split, or number of splits. */
export type ImportanceType = 'total_gain' | 'gain' | 'weight';

/** The JSON form of a {@link GradientBoostingModel}. */
export interface GradientBoostingJSON {
  format: 'git-ml.gradient-boosting';
  version: 1;
  objective: ObjectiveName;
  /** The two label values of a classifier, in the order of `predictProba`'s columns. */
  classes?: number[];
  nFeatures: number;
  /** The raw score every prediction starts from (log-odds, or the target mean). */
  baseScore: number;
  params: GradientBoostingSettings;
  /** The 0-based round whose trees the model keeps (the best validation round under early stopping). */
  bestIteration: number;
  history: BoostingHistory;
  trees: FlatForestJSON;
}

/**
 * A trained gradient-boosted model. Trees live in flat typed arrays, so one row's prediction is a
 * walk of a few hundred array reads. Build one with `fitGradientBoosting`.
 */
export class GradientBoostingModel {
  readonly objective: ObjectiveName;
  readonly classes?: number[];
  readonly nFeatures: number;
  readonly baseScore: number;
  readonly params: GradientBoostingSettings;
  readonly bestIteration: number;
  readonly history: BoostingHistory;
  private readonly forest: FlatForest;

  constructor(json: GradientBoostingJSON) {
    this.objective = json.objective;
    if (json.classes) this.classes = json.classes;
    this.nFeatures = json.nFeatures;
    this.baseScore = json.baseScore;
    this.params = json.params;
    this.bestIteration = json.bestIteration;
    this.history = json.history;
    this.forest = FlatForest.fromJSON(json.trees, json.nFeatures);
  }

  /** Number of trees the model predicts with. */
  get nTrees(): number {
    return this.forest.nTrees;
  }

  /** Total split gain per feature, normalised to sum to 1 (all zeros if no tree ever split). */
  get featureImportances(): number[] {
    return this.featureImportance('total_gain');
  }

  /** Feature importances of the given kind, normalised to sum to 1, like XGBoost's `importance_type`. */
  featureImportance(type: ImportanceType = 'total_gain'): number[] {
    const { gain, count } = this.forest.splitStats(this.nFeatures);
    const raw = type === 'weight' ? count : type === 'gain' ? gain.map((g, j) => (count[j] ? g / count[j] : 0)) : gain;
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => (total > 0 ? v / total : 0));
  }

  /** Raw scores: the sum of the trees plus the base score (log-odds for classifiers). */
  predictRaw(rows: number[][]): number[] {
    checkRows(rows, this.nFeatures, 'rows');
    return rows.map((row) => this.baseScore + this.forest.sum(row));
  }

  /** Class labels for classifiers (probability above ½ picks `classes[1]`), values for regressors. */
  predict(rows: number[][]): number[] {
    const raw = this.predictRaw(rows);
    if (!this.classes) return raw;
    const [negative, positive] = this.classes;
    return raw.map((z) => (z > 0 ? positive : negative));
  }

  /** `[p(classes[0]), p(classes[1])]` for each row. Regressors have no probabilities. */
  predictProba(rows: number[][]): number[][] {
    if (!this.classes) {
      throw new InvalidInputError('predictProba needs a classifier; this model was trained with reg:squarederror. Use predict.', { objective: this.objective });
    }
    return this.predictRaw(rows).map((z) => {
      const p = sigmoid(z);
      return [1 - p, p];
    });
  }

  toJSON(): GradientBoostingJSON {
    return {
      format: 'git-ml.gradient-boosting', version: 1, objective: this.objective, ...(this.classes ? { classes: this.classes } : {}),
      nFeatures: this.nFeatures, baseScore: this.baseScore, params: this.params, bestIteration: this.bestIteration, history: this.history,
      trees: this.forest.toJSON(),
    };
  }

  /** Rebuilds a model from {@link GradientBoostingModel.toJSON}'s output, checking its shape and its trees. */
  static fromJSON(json: unknown): GradientBoostingModel {
    const j = json as GradientBoostingJSON;
    if (j?.format !== 'git-ml.gradient-boosting') throw new ModelFormatError(`expected format "git-ml.gradient-boosting", found ${JSON.stringify(j?.format)}.`);
    if (j.version !== 1) throw new ModelFormatError(`format version ${j.version} is newer than this package reads (1); upgrade @git-ml/flavor-trees.`);
    if (!(j.objective in OBJECTIVES)) throw new ModelFormatError(`unknown objective ${JSON.stringify(j.objective)}.`);
    if (j.objective === 'binary:logistic' && !(Array.isArray(j.classes) && j.classes.length === 2)) {
      throw new ModelFormatError('a binary:logistic model needs its two classes.');
    }
    if (!Number.isInteger(j.nFeatures) || j.nFeatures < 1 || !Number.isFinite(j.baseScore)) {
      throw new ModelFormatError('nFeatures must be a positive integer and baseScore a finite number.');
    }
    if (j.trees?.valueWidth !== 1) throw new ModelFormatError('boosted trees hold one value per leaf (valueWidth 1).');
    return new GradientBoostingModel({ ...j, history: j.history ?? { train: [] } });
  }
}
