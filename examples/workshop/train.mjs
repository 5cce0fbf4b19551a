#!/usr/bin/env node
// The workshop's `train` entry point: one model (logreg or gbdt) as one tracked run — parameters,
// per-iteration loss curves, evaluate()'s metrics (test_accuracy among them) and pictures, feature
// importances, and the model itself. Run it directly, through `git-ml run -e train`, or import
// `train()` (the workshop does, to skip a process start per run).
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import { barChartSvg, evaluate, inferSignature, loadModel, logModel } from '@git-ml/models';
import { activeRun, endRun, getClient, logMetric, logParams, logText, startRun } from '@git-ml/tracking';
import { fitLogisticRegression, flavor as linearFlavor } from '@git-ml/flavor-linear';
import { fitGradientBoosting, flavor as treesFlavor } from '@git-ml/flavor-trees';

export const DEFAULTS = { model: 'gbdt', train_csv: '', test_csv: '', C: 1.0, learning_rate: 0.3, n_estimators: 100, max_depth: 3, seed: 42 };

/** sklearn's make_classification(1000, 20, random_state=seed) and train_test_split(test_size=0.2, random_state=seed). */
export function generatedData(seed = 42) {
  const { X, y } = makeClassification({ nSamples: 1000, nFeatures: 20, seed });
  const { train, test } = trainTestSplit(X.length, { testSize: 0.2, randomState: seed });
  const features = X[0].map((_, i) => `f${i}`);
  return { features, train: { X: selectRows(X, train), y: selectRows(y, train) }, test: { X: selectRows(X, test), y: selectRows(y, test) } };
}

async function loadData(p) {
  if (!p.train_csv) return generatedData(p.seed);
  if (!p.test_csv) throw new Error('give test_csv together with train_csv (both with a `target` column)');
  const tr = splitTarget(await readCsv(p.train_csv), 'target');
  const te = splitTarget(await readCsv(p.test_csv), 'target');
  if (tr.features.join() !== te.features.join()) throw new Error(`${p.train_csv} and ${p.test_csv} have different columns`);
  return { features: tr.features, train: { X: tr.X, y: tr.y }, test: { X: te.X, y: te.y } };
}

/** Trains, evaluates and logs one model into the active run (started here when there is none). */
export async function train(params = {}, { onProgress } = {}) {
  const p = { ...DEFAULTS, ...params };
  for (const k of ['C', 'learning_rate', 'n_estimators', 'max_depth', 'seed']) p[k] = Number(p[k]);
  if (p.model !== 'logreg' && p.model !== 'gbdt') throw new Error(`model must be logreg or gbdt, not '${p.model}'`);
  const own = !activeRun();
  const run = own ? startRun({ runName: `${p.model}-${p.model === 'gbdt' ? `lr${p.learning_rate}-d${p.max_depth}` : `C${p.C}`}` }) : activeRun();
  try {
    const data = await loadData(p);
    const hp = p.model === 'gbdt' ? { learning_rate: p.learning_rate, n_estimators: p.n_estimators, max_depth: p.max_depth } : { C: p.C };
    logParams({ model: p.model, data: p.train_csv || `make_classification(1000, 20, seed=${p.seed})`, n_train: data.train.X.length, n_test: data.test.X.length, ...hp });
    const validation = { X: data.test.X, y: data.test.y };
    const model =
      p.model === 'gbdt'
        ? fitGradientBoosting(data.train.X, data.train.y, { nEstimators: p.n_estimators, learningRate: p.learning_rate, maxDepth: p.max_depth, seed: p.seed, validation, onIteration: (i) => onProgress?.(i + 1, p.n_estimators) })
        : fitLogisticRegression(data.train.X, data.train.y, { C: p.C, validation });
    // loss curves: one point per iteration (boosting round / L-BFGS step)
    model.history.train.forEach((v, step) => logMetric('train_loss', v, step));
    (model.history.validation ?? []).forEach((v, step) => logMetric('val_loss', v, step));
    const importances = p.model === 'gbdt' ? model.featureImportances : model.coef.flat().map(Math.abs);
    logText(barChartSvg(data.features.map((label, i) => ({ label, value: importances[i] ?? 0 })), `Feature importance (${p.model})`), 'evaluation/feature_importance.svg');
    const rows = (X) => X.map((r) => Object.fromEntries(data.features.map((f, i) => [f, r[i]])));
    const signature = inferSignature(rows(data.train.X.slice(0, 5)), data.train.y.slice(0, 5));
    const logged = await logModel(model, 'model', { flavor: p.model === 'gbdt' ? treesFlavor : linearFlavor, signature, inputExample: rows(data.train.X.slice(0, 3)) });
    const test = { columns: [...data.features, 'target'], data: data.test.X.map((r, i) => [...r, data.test.y[i]]) };
    const { metrics } = await evaluate(await loadModel(logged.model_uri, { client: getClient() }), test, { targets: 'target', modelType: 'classifier', prefix: 'test_' });
    if (own) endRun();
    return { runId: run.runId, model_uri: logged.model_uri, metrics, params: p };
  } catch (err) {
    if (own) endRun('FAILED');
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, { type: 'string' }])), strict: true });
  train(values)
    .then((r) => console.log(`test_accuracy=${r.metrics.test_accuracy.toFixed(4)} run=${r.runId} model=${r.model_uri}`))
    .catch((err) => {
      console.error(`train: error: ${err.message}`);
      process.exitCode = 1;
    });
}
