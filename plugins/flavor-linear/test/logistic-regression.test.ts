/**
 * Logistic regression against scikit-learn: on the fixture dataset with sklearn's own 80/20 split,
 * `LogisticRegression()` scores 0.855 and its coefficients are stored in the MLflow-saved ONNX model
 * (fixtures/mlflow-onnx-logreg/model.onnx, LinearClassifier node, class-1 row, float32).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import { fitLogisticRegression, InvalidInputError, LogisticRegressionModel, ModelFormatError } from '@git-ml/flavor-linear';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures');
const expected = JSON.parse(readFileSync(resolve(FIXTURES, 'mlflow-onnx-logreg.expected.json'), 'utf8')) as {
  inputs: number[][];
  label: number[];
  sklearn_test_accuracy: number;
};
const SKLEARN_COEF = [
  0.09057559, -0.49350592, 0.22822709, 0.10190939, -0.02329158, 1.60127664, -0.08230016, -0.0185651, -0.02390133, 0.00897384,
  0.20592655, 0.45334736, 0.03158908, 0.13600543, -0.50764334, 0.07899057, 0.07030182, -0.15109156, -0.75844198, 0.1086393,
];
const SKLEARN_INTERCEPT = 0.12869108;

let split: { xTrain: number[][]; yTrain: number[]; xTest: number[][]; yTest: number[] };

beforeAll(async () => {
  const { X, y } = splitTarget(await readCsv(resolve(FIXTURES, 'classification_1000x20_seed42.csv')), 'target');
  const { train, test } = trainTestSplit(X.length, { testSize: 0.2, randomState: 42 });
  split = { xTrain: selectRows(X, train), yTrain: selectRows(y, train), xTest: selectRows(X, test), yTest: selectRows(y, test) };
});

const accuracy = (predicted: number[], actual: number[]) => predicted.filter((p, i) => p === actual[i]).length / actual.length;

describe('binary logistic regression on scikit-learn’s split', () => {
  it('reaches sklearn’s 0.855 test accuracy (within 0.015) with the defaults', () => {
    const model = fitLogisticRegression(split.xTrain, split.yTrain);
    const acc = accuracy(model.predict(split.xTest), split.yTest);
    expect(Math.abs(acc - expected.sklearn_test_accuracy)).toBeLessThanOrEqual(0.015);
    expect(model.converged).toBe(true);
  });

  it('predicts sklearn’s labels for all 20 rows in the expected-output fixture', () => {
    const model = fitLogisticRegression(split.xTrain, split.yTrain);
    expect(model.predict(expected.inputs)).toEqual(expected.label);
  });

  it('lands on sklearn’s coefficients and intercept to 1e-3', () => {
    const model = fitLogisticRegression(split.xTrain, split.yTrain);
    model.coef[0].forEach((w, j) => expect(Math.abs(w - SKLEARN_COEF[j])).toBeLessThan(1e-3));
    expect(Math.abs(model.intercept[0] - SKLEARN_INTERCEPT)).toBeLessThan(1e-3);
  });

  it('records the training and validation log-loss after every iteration', () => {
    const model = fitLogisticRegression(split.xTrain, split.yTrain, { validation: { X: split.xTest, y: split.yTest } });
    const { train, validation } = model.history;
    expect(train).toHaveLength(model.nIter);
    expect(validation).toHaveLength(model.nIter);
    // The optimizer lowers the penalised objective every step; the log-loss alone may tick up at the end.
    expect(train[0]).toBeLessThan(Math.log(2));
    expect(train[0]).toBeGreaterThan(train.at(-1)! + 0.05);
    expect(validation!.at(-1)!).toBeGreaterThan(train.at(-1)!);
    expect(train.at(-1)!).toBeCloseTo(0.3181, 3);
  });

  it('penalises harder as C shrinks', () => {
    const norm = (m: LogisticRegressionModel) => Math.hypot(...m.coef[0]);
    const weak = fitLogisticRegression(split.xTrain, split.yTrain, { C: 100 });
    const strong = fitLogisticRegression(split.xTrain, split.yTrain, { C: 0.001 });
    expect(norm(strong)).toBeLessThan(norm(weak) / 5);
  });
});

describe('multinomial logistic regression', () => {
  const data = makeClassification({ nSamples: 600, nFeatures: 6, nInformative: 4, nRedundant: 0, nClasses: 3, nClustersPerClass: 1, seed: 7 });

  it('learns three classes, with probabilities that sum to 1 and sklearn’s zero-sum coefficients', () => {
    const model = fitLogisticRegression(data.X.slice(0, 450), data.y.slice(0, 450), { tol: 1e-8 });
    expect(model.classes).toEqual([0, 1, 2]);
    expect(model.coef).toHaveLength(3);
    expect(accuracy(model.predict(data.X.slice(450)), data.y.slice(450))).toBeGreaterThan(0.75);
    for (const p of model.predictProba(data.X.slice(450, 470))) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // At the L2-penalised optimum of the symmetric softmax, each feature's weights sum to zero.
    for (let j = 0; j < 6; j++) expect(Math.abs(model.coef[0][j] + model.coef[1][j] + model.coef[2][j])).toBeLessThan(1e-5);
  });

  it('keeps arbitrary label values and predicts them back', () => {
    const y = data.y.map((c) => [-5, 10, 42][c]);
    const model = fitLogisticRegression(data.X, y);
    expect(model.classes).toEqual([-5, 10, 42]);
    expect(new Set(model.predict(data.X))).toEqual(new Set([-5, 10, 42]));
  });
});

describe('serialisation and input checks', () => {
  it('round-trips through JSON text with identical predictions', () => {
    const model = fitLogisticRegression(split.xTrain, split.yTrain, { C: 0.5 });
    const copy = LogisticRegressionModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(copy.predictProba(split.xTest)).toEqual(model.predictProba(split.xTest));
    expect(copy.params).toEqual({ C: 0.5, fitIntercept: true, maxIter: 100, tol: 1e-4, multiClass: 'auto' });
    expect(copy.history).toEqual(model.history);
  });

  it('refuses JSON of another format or a newer version', () => {
    const json = fitLogisticRegression([[0], [1], [2], [3]], [0, 0, 1, 1]).toJSON();
    expect(() => LogisticRegressionModel.fromJSON({ ...json, format: 'other' })).toThrow(ModelFormatError);
    expect(() => LogisticRegressionModel.fromJSON({ ...json, version: 2 })).toThrow(/upgrade @git-ml\/flavor-linear/);
    expect(() => LogisticRegressionModel.fromJSON({ ...json, coef: [[1, 2]] })).toThrow(/coef must hold/);
  });

  it('names the row and column of bad input', () => {
    expect(() => fitLogisticRegression([[1, 2], [3]], [0, 1])).toThrow(/X\[1\] has 1 values; expected 2/);
    expect(() => fitLogisticRegression([[1, NaN], [3, 4]], [0, 1])).toThrow(/X\[0\]\[1\] is NaN/);
    expect(() => fitLogisticRegression([[1], [2]], [1, 1])).toThrow(/single class/);
    const model = fitLogisticRegression([[0], [1], [2], [3]], [0, 0, 1, 1]);
    expect(() => model.predict([[1, 2]])).toThrow(InvalidInputError);
  });
});
