/** Decision trees trained by ml-cart and kept in git-ml's flat form. */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import { DecisionTreeModel, fitDecisionTree, ModelFormatError } from '@git-ml/flavor-trees';

const CSV = resolve(import.meta.dirname, '../../../fixtures/classification_1000x20_seed42.csv');
let split: { xTrain: number[][]; yTrain: number[]; xTest: number[][]; yTest: number[] };

beforeAll(async () => {
  const { X, y } = splitTarget(await readCsv(CSV), 'target');
  const { train, test } = trainTestSplit(X.length, { testSize: 0.2, randomState: 42 });
  split = { xTrain: selectRows(X, train), yTrain: selectRows(y, train), xTest: selectRows(X, test), yTest: selectRows(y, test) };
});

const accuracy = (predicted: number[], actual: number[]) => predicted.filter((p, i) => p === actual[i]).length / actual.length;

describe('classification trees', () => {
  it('classify the fixture’s test rows well, with leaf frequencies as probabilities', () => {
    const tree = fitDecisionTree(split.xTrain, split.yTrain, { maxDepth: 5 });
    expect(accuracy(tree.predict(split.xTest), split.yTest)).toBeGreaterThan(0.8);
    const proba = tree.predictProba(split.xTest);
    const labels = tree.predict(split.xTest);
    proba.forEach((p, i) => {
      expect(p[0] + p[1]).toBeCloseTo(1, 12);
      expect(labels[i]).toBe(tree.classes![p[1] > p[0] ? 1 : 0]);
    });
    expect(tree.history.train[0]).toBeLessThan(0.15);
  });

  it('respect maxDepth: depth 1 has two leaves', () => {
    const stump = fitDecisionTree(split.xTrain, split.yTrain, { maxDepth: 1 });
    expect(new Set(stump.predictProba(split.xTrain).map((p) => p.join())).size).toBe(2);
  });

  it('map arbitrary labels, including classes a leaf never saw', () => {
    const { X, y } = makeClassification({ nSamples: 300, nFeatures: 5, nInformative: 3, nRedundant: 0, nClasses: 3, nClustersPerClass: 1, seed: 4 });
    const labels = y.map((c) => [10, 20, 30][c]);
    const tree = fitDecisionTree(X, labels, { maxDepth: 4 });
    expect(tree.classes).toEqual([10, 20, 30]);
    expect(tree.predictProba(X).every((p) => p.length === 3)).toBe(true);
    expect(accuracy(tree.predict(X), labels)).toBeGreaterThan(0.8);
  });

  it('rank features by impurity decrease, normalised to 1, with signal features first', () => {
    const { X, y } = makeClassification({ nSamples: 500, nFeatures: 10, nInformative: 2, nRedundant: 0, shuffle: false, seed: 8 });
    const importances = fitDecisionTree(X, y, { maxDepth: 4 }).featureImportances;
    expect(importances.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(importances[0] + importances[1]).toBeGreaterThan(0.7);
  });
});

describe('regression trees', () => {
  it('predict leaf means, and take splits that explain a node perfectly', () => {
    // Three plateaus: the second-level splits leave zero squared error, which ml-cart's own
    // threshold check would refuse.
    const X = Array.from({ length: 90 }, (_, i) => [i]);
    const y = X.map(([x]) => (x < 30 ? 1 : x < 60 ? 5 : 9));
    const tree = fitDecisionTree(X, y, { task: 'regression', maxDepth: 3 });
    expect(tree.predict([[10], [45], [80]])).toEqual([1, 5, 9]);
    expect(tree.history.train).toEqual([0]);
  });

  it('have importances and explain that predictProba needs a classifier', () => {
    const X = Array.from({ length: 60 }, (_, i) => [i, (i * 7) % 5]);
    const y = X.map(([x]) => (x < 30 ? 1 : x < 45 ? 4 : 5));
    const tree = fitDecisionTree(X, y, { task: 'regression', maxDepth: 2 });
    expect(tree.featureImportances[0]).toBeGreaterThan(0.9);
    expect(() => tree.predictProba([[1]])).toThrow(/needs a classification tree/);
  });
});

describe('JSON form', () => {
  it('round-trips through JSON text; unlimited depth is stored as null', () => {
    const tree = fitDecisionTree(split.xTrain, split.yTrain);
    const json = JSON.parse(JSON.stringify(tree));
    expect(json.params).toEqual({ task: 'classification', maxDepth: null, minNumSamples: 3, gainThreshold: 0.01 });
    const copy = DecisionTreeModel.fromJSON(json);
    expect(copy.predictProba(split.xTest)).toEqual(tree.predictProba(split.xTest));
    expect(copy.featureImportances).toEqual(tree.featureImportances);
  });

  it('refuses a tree whose leaves do not hold one value per class', () => {
    const json = fitDecisionTree(split.xTrain, split.yTrain, { maxDepth: 2 }).toJSON();
    expect(() => DecisionTreeModel.fromJSON({ ...json, classes: [0, 1, 2] })).toThrow(ModelFormatError);
    expect(() => DecisionTreeModel.fromJSON({ ...json, format: 'git-ml.gradient-boosting' })).toThrow(/expected format "git-ml.decision-tree"/);
  });
});
