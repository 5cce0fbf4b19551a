import { activeRun, getClient, type MlClient } from '@git-ml/tracking';
import { BadInputError } from './errors.js';
import { classifierMetrics, confusion, regressorMetrics, rocCurve } from './metrics.js';
import { loadModel, type LoadedModel } from './model.js';
import { confusionMatrixSvg, rocCurveSvg } from './svg.js';

export interface EvaluateOptions {
  /** the target column's name in `data`, or the targets themselves */
  targets: string | number[];
  modelType: 'classifier' | 'regressor';
  /** default: the active run; pass null to log nothing */
  runId?: string | null;
  client?: MlClient;
  /** prefix of the logged metric keys (MLflow logs e.g. `accuracy_score`; git-ml logs `accuracy`, or `test_accuracy` with prefix `test_`) */
  prefix?: string;
}

export interface EvaluateResult {
  metrics: Record<string, number>;
  /** artifact path → SVG text, as logged */
  artifacts: Record<string, string>;
}

function splitTargets(data: unknown, targets: string | number[]): { features: unknown; y: number[] } {
  if (Array.isArray(targets)) return { features: data, y: targets };
  const col = targets;
  if (Array.isArray(data) && data.length > 0 && typeof data[0] === 'object' && !Array.isArray(data[0])) {
    const rows = data as Record<string, unknown>[];
    if (!(col in rows[0])) throw new BadInputError(`evaluate: data has no target column '${col}'.`, { field: 'targets' });
    return { features: rows.map(({ [col]: _t, ...rest }) => rest), y: rows.map((r) => Number(r[col])) };
  }
  const o = data as { columns?: string[]; data?: unknown[][] };
  if (o && Array.isArray(o.columns) && Array.isArray(o.data)) {
    const k = o.columns.indexOf(col);
    if (k < 0) throw new BadInputError(`evaluate: data has no target column '${col}' (columns: ${o.columns.join(', ')}).`, { field: 'targets' });
    return { features: { columns: o.columns.filter((_, i) => i !== k), data: o.data.map((r) => r.filter((_, i) => i !== k)) }, y: o.data.map((r) => Number(r[k])) };
  }
  throw new BadInputError('evaluate: pass data as rows of objects or { columns, data } when targets names a column; or pass the targets array.', { field: 'data' });
}

/**
 * MLflow's evaluate: predicts on `data`, computes the standard metrics (classifier: accuracy,
 * precision, recall, f1, roc_auc, log_loss; regressor: mse, rmse, mae, r2) and pictures (confusion
 * matrix and ROC curve as SVG), and logs them to the run.
 */
export async function evaluate(model: LoadedModel | string, data: unknown, options: EvaluateOptions): Promise<EvaluateResult> {
  const m = typeof model === 'string' ? await loadModel(model) : model;
  const { features, y } = splitTargets(data, options.targets);
  const raw = await m.predict(features);
  const pred = (Array.isArray(raw) ? raw : (raw.label ?? raw.predictions ?? Object.values(raw)[0])) as unknown[];
  const yPred = pred.map(Number);
  if (yPred.length !== y.length) throw new BadInputError(`evaluate: the model returned ${yPred.length} predictions for ${y.length} rows.`);
  const prefix = options.prefix ?? '';
  const metrics: Record<string, number> = {};
  const artifacts: Record<string, string> = {};
  if (options.modelType === 'classifier') {
    const proba = await m.predictProba(features);
    const labels = m.classes ?? [...new Set([...y, ...yPred])].sort((a, b) => a - b);
    for (const [k, v] of Object.entries(classifierMetrics(y, yPred, proba, labels))) metrics[`${prefix}${k}`] = v;
    artifacts[`${prefix}confusion_matrix.svg`] = confusionMatrixSvg(confusion(y, yPred, labels), labels.map(String));
    if (proba && labels.length === 2) {
      const roc = rocCurve(y, proba.map((p) => p[1]), labels[1]);
      artifacts[`${prefix}roc_curve.svg`] = rocCurveSvg(roc.fpr, roc.tpr, roc.auc);
    }
  } else {
    for (const [k, v] of Object.entries(regressorMetrics(y, yPred))) metrics[`${prefix}${k}`] = v;
  }
  const runId = options.runId === undefined ? activeRun()?.runId : options.runId;
  if (runId) {
    const client = options.client ?? getClient();
    client.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })) });
    for (const [path, svg] of Object.entries(artifacts)) client.logText(runId, svg, `evaluation/${path}`);
  }
  return { metrics, artifacts };
}
