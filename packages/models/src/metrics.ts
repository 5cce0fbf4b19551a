/** The standard evaluation metrics, computed like scikit-learn's (binary: positive class = 1). */

export interface ClassifierMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number;
  log_loss: number;
}

export interface RegressorMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

const eps = 1e-15;

export function confusion(yTrue: number[], yPred: number[], labels: number[]): number[][] {
  const index = new Map(labels.map((l, i) => [l, i]));
  const m = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) m[index.get(yTrue[i])!][index.get(yPred[i])!]++;
  return m;
}

/** ROC curve points (fpr, tpr) over descending score thresholds, and the area under it. */
export function rocCurve(yTrue: number[], score: number[], positive = 1): { fpr: number[]; tpr: number[]; auc: number } {
  const order = score.map((s, i) => [s, yTrue[i] === positive ? 1 : 0] as const).sort((a, b) => b[0] - a[0]);
  const P = order.reduce((n, [, y]) => n + y, 0);
  const N = order.length - P;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (order[i][1]) tp++;
    else fp++;
    if (i === order.length - 1 || order[i + 1][0] !== order[i][0]) {
      fpr.push(N ? fp / N : 0);
      tpr.push(P ? tp / P : 0);
    }
  }
  let auc = 0;
  for (let i = 1; i < fpr.length; i++) auc += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return { fpr, tpr, auc: P && N ? auc : Number.NaN };
}

/**
 * Classifier metrics. `proba` holds each row's class probabilities (columns in `labels` order);
 * with two classes precision/recall/f1 are for the positive (second) label, otherwise macro-averaged,
 * and roc_auc is one-vs-rest macro.
 */
export function classifierMetrics(yTrue: number[], yPred: number[], proba: number[][] | null, labels: number[]): ClassifierMetrics {
  const n = yTrue.length;
  const cm = confusion(yTrue, yPred, labels);
  const accuracy = yTrue.reduce((a, y, i) => a + (y === yPred[i] ? 1 : 0), 0) / n;
  const prf = (k: number) => {
    const tp = cm[k][k];
    const predicted = cm.reduce((a, row) => a + row[k], 0);
    const actual = cm[k].reduce((a, b) => a + b, 0);
    const p = predicted ? tp / predicted : 0;
    const r = actual ? tp / actual : 0;
    return { p, r, f: p + r ? (2 * p * r) / (p + r) : 0 };
  };
  const ks = labels.length === 2 ? [1] : labels.map((_, i) => i);
  const avg = (f: (x: { p: number; r: number; f: number }) => number) => ks.reduce((a, k) => a + f(prf(k)), 0) / ks.length;
  let roc_auc = Number.NaN;
  let log_loss = Number.NaN;
  if (proba) {
    const index = new Map(labels.map((l, i) => [l, i]));
    log_loss = -yTrue.reduce((a, y, i) => a + Math.log(Math.min(1 - eps, Math.max(eps, proba[i][index.get(y)!] ?? 0))), 0) / n;
    roc_auc =
      labels.length === 2
        ? rocCurve(yTrue, proba.map((p) => p[1]), labels[1]).auc
        : labels.reduce((a, l, k) => a + rocCurve(yTrue, proba.map((p) => p[k]), l).auc, 0) / labels.length;
  }
  return { accuracy, precision: avg((x) => x.p), recall: avg((x) => x.r), f1: avg((x) => x.f), roc_auc, log_loss };
}

export function regressorMetrics(yTrue: number[], yPred: number[]): RegressorMetrics {
  const n = yTrue.length;
  const mean = yTrue.reduce((a, b) => a + b, 0) / n;
  let se = 0;
  let ae = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    se += (yTrue[i] - yPred[i]) ** 2;
    ae += Math.abs(yTrue[i] - yPred[i]);
    tot += (yTrue[i] - mean) ** 2;
  }
  return { mse: se / n, rmse: Math.sqrt(se / n), mae: ae / n, r2: tot ? 1 - se / tot : Number.NaN };
}
