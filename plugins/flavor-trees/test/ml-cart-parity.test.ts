/**
 * The trees behind both models against ml-cart itself: git-ml's boosting tree grower, set up as a
 * plain squared-error tree, picks the same splits as ml-cart's DecisionTreeRegression; and the
 * flat copies of ml-cart's trees predict exactly what ml-cart predicts.
 */
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import { describe, expect, it } from 'vitest';
import { makeClassification } from '@git-ml/datasets';
import { fitDecisionTree, fitGradientBoosting } from '@git-ml/flavor-trees';

const { X, y } = makeClassification({ nSamples: 300, nFeatures: 6, nInformative: 3, nRedundant: 1, seed: 21 });
const target = X.map((r) => r[0] * 2 + Math.sin(3 * r[1]) + 0.1 * r[2]);
const xTrain = X.slice(0, 220);
const xTest = X.slice(220);

describe('parity with ml-cart', () => {
  it('one boosting round with λ = 0 and η = 1 grows ml-cart’s depth-3 regression tree', () => {
    const cart = new DecisionTreeRegression({ maxDepth: 3, minNumSamples: 1 });
    cart.train(xTrain, target.slice(0, 220));
    const ours = fitGradientBoosting(xTrain, target.slice(0, 220), {
      objective: 'reg:squarederror', nEstimators: 1, learningRate: 1, lambda: 0, minChildWeight: 0, maxDepth: 3,
    });
    const expected = cart.predict(xTest);
    ours.predict(xTest).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
    expect(new Set(ours.predict(X)).size).toBe(8);
  });

  it('a classification tree predicts exactly what ml-cart’s classifier predicts', () => {
    const cart = new DecisionTreeClassifier({ maxDepth: 5 });
    cart.train(xTrain, y.slice(0, 220));
    expect(fitDecisionTree(xTrain, y.slice(0, 220), { maxDepth: 5 }).predict(xTest)).toEqual(cart.predict(xTest));
  });

  it('a regression tree predicts exactly what ml-cart’s regression tree predicts', () => {
    const cart = new DecisionTreeRegression({ maxDepth: 4 });
    cart.train(xTrain, target.slice(0, 220));
    expect(fitDecisionTree(xTrain, target.slice(0, 220), { task: 'regression', maxDepth: 4 }).predict(xTest)).toEqual(cart.predict(xTest));
  });
});
