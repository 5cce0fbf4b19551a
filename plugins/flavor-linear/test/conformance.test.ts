/**
 * The git_ml_linear flavor through git-ml's conformance suite: models trained on the fixture CSV
 * (and a 3-class toy set) are saved, loaded back by package name, and served over HTTP; every step
 * must reproduce the in-memory model's predictions exactly.
 */
import { resolve } from 'node:path';
import { describe, it } from 'vitest';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import type { Signature } from '@git-ml/models';
import { conformanceSuite } from '@git-ml/models/conformance';
import { fitLinearRegression, fitLogisticRegression, flavor } from '@git-ml/flavor-linear';

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

const binary = fitLogisticRegression(xTrain, yTrain);

// Three classes with labels 1, 2, 3 (not 0-based), 20 features named like the fixture's.
const toy = makeClassification({ nSamples: 300, nFeatures: 20, nInformative: 6, nClasses: 3, seed: 7 });
const multinomial = fitLogisticRegression(toy.X.slice(0, 250), toy.y.slice(0, 250).map((c) => c + 1));
const toyRows = toy.X.slice(250, 256);

// A continuous target made from the features, so the regression has something to fit.
const linear = fitLinearRegression(xTrain, xTrain.map((r, i) => 2 * r[0] - r[3] + 0.5 * r[7] + yTrain[i]), { alpha: 0.1 });

conformanceSuite(
  { describe, it },
  {
    flavor,
    cases: [
      { name: 'logistic regression (binary)', model: binary, input: { columns: features, data: rows }, signature: signature('long'), expected: binary.predict(rows) },
      { name: 'logistic regression (multinomial, 3 classes)', model: multinomial, input: { columns: features, data: toyRows }, signature: signature('long'), expected: multinomial.predict(toyRows) },
      { name: 'linear regression (ridge)', model: linear, input: { columns: features, data: rows }, signature: signature('double'), expected: linear.predict(rows) },
    ],
  },
);
