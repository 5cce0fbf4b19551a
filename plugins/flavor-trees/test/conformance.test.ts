/**
 * The git_ml_trees flavor through git-ml's conformance suite: models trained on the fixture CSV are
 * saved, loaded back by package name, and served over HTTP; every step must reproduce the
 * in-memory model's predictions exactly.
 */
import { resolve } from 'node:path';
import { describe, it } from 'vitest';
import { readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import type { Signature } from '@git-ml/models';
import { conformanceSuite } from '@git-ml/models/conformance';
import { fitDecisionTree, fitGradientBoosting, flavor } from '@git-ml/flavor-trees';

const CSV = resolve(import.meta.dirname, '../../../fixtures/classification_1000x20_seed42.csv');
const { features, X, y } = splitTarget(await readCsv(CSV), 'target');
const { train, test } = trainTestSplit(X.length, { testSize: 0.2, randomState: 42 });
const xTrain = selectRows(X, train);
const yTrain = selectRows(y, train);
const rows = selectRows(X, test).slice(0, 6);

const signature = (output: 'long' | 'double'): Signature => ({
  inputs: features.map((name) => ({ type: 'double' as const, name, required: true })),
  outputs: [{ type: output, required: true }],
});

const classifier = fitGradientBoosting(xTrain, yTrain, { nEstimators: 100, maxDepth: 3 });
// A continuous target made from the features, so the regressor has something to fit.
const regressor = fitGradientBoosting(xTrain, xTrain.map((r, i) => 2 * r[0] - r[3] * r[7] + yTrain[i]), { objective: 'reg:squarederror', nEstimators: 50 });
const tree = fitDecisionTree(xTrain, yTrain, { maxDepth: 6 });
const regressionTree = fitDecisionTree(xTrain, xTrain.map((r) => r[0] + r[1]), { task: 'regression', maxDepth: 5 });

conformanceSuite(
  { describe, it },
  {
    flavor,
    cases: [
      { name: 'gradient boosting (binary classifier)', model: classifier, input: { columns: features, data: rows }, signature: signature('long'), expected: classifier.predict(rows) },
      { name: 'gradient boosting (regressor)', model: regressor, input: { columns: features, data: rows }, signature: signature('double'), expected: regressor.predict(rows) },
      { name: 'decision tree (classifier)', model: tree, input: { columns: features, data: rows }, signature: signature('long'), expected: tree.predict(rows) },
      { name: 'decision tree (regression)', model: regressionTree, input: { columns: features, data: rows }, signature: signature('double'), expected: regressionTree.predict(rows) },
    ],
  },
);
