/**
 * The git_ml_trees flavor beyond the conformance suite: flavor picked by `accepts`, probabilities
 * and classes for evaluate, tensor and signature-less input, and clear errors for bad input and for
 * corrupt or hand-edited model files (a tree whose child points back at its parent never loads).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import { BadInputError, evaluate, loadModel, ModelFormatError, saveModel, type Signature } from '@git-ml/models';
import { DecisionTreeModel, fitDecisionTree, fitGradientBoosting, flavor, GradientBoostingModel } from '@git-ml/flavor-trees';

const CSV = resolve(import.meta.dirname, '../../../fixtures/classification_1000x20_seed42.csv');
const tmp = mkdtempSync(join(tmpdir(), 'flavor-trees-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(tmp, `m${n++}`);

let features: string[];
let xTrain: number[][];
let yTrain: number[];
let xTest: number[][];
let yTest: number[];
let boosted: GradientBoostingModel;
let signature: Signature;

beforeAll(async () => {
  const t = splitTarget(await readCsv(CSV), 'target');
  features = t.features;
  const { train, test } = trainTestSplit(t.X.length, { testSize: 0.2, randomState: 42 });
  [xTrain, yTrain, xTest, yTest] = [selectRows(t.X, train), selectRows(t.y, train), selectRows(t.X, test), selectRows(t.y, test)];
  boosted = fitGradientBoosting(xTrain, yTrain, { nEstimators: 100, maxDepth: 3 });
  signature = { inputs: features.map((name) => ({ type: 'double', name, required: true })), outputs: [{ type: 'long', required: true }] };
});

describe('saving', () => {
  it('is picked by accepts when no flavor is given, and records model_type and format', async () => {
    const dir = fresh();
    const mlmodel = await saveModel(boosted, dir, { signature });
    expect(mlmodel.flavors.git_ml_trees).toEqual({ data: 'model.json', model_type: 'gradient_boosting', format: 'git-ml.gradient-boosting' });
    expect(mlmodel.flavors.git_ml).toMatchObject({ loader_package: '@git-ml/flavor-trees', flavor: 'git_ml_trees', package_version: '0.1.0' });
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(boosted.toJSON())));
    const tree = fitDecisionTree(xTrain, yTrain, { maxDepth: 4 });
    expect((await saveModel(tree, fresh())).flavors.git_ml_trees).toMatchObject({ model_type: 'decision_tree', format: 'git-ml.decision-tree' });
  });

  it('accepts only tree models', () => {
    expect(flavor.accepts!(boosted)).toBe(true);
    expect(flavor.accepts!(boosted.toJSON())).toBe(false);
    expect(flavor.accepts!(undefined)).toBe(false);
  });
});

describe('predicting', () => {
  it('gradient boosting gives probabilities and classes, so evaluate computes roc_auc and log_loss', async () => {
    const dir = fresh();
    await saveModel(boosted, dir, { signature });
    const loaded = await loadModel(dir);
    expect(loaded.classes).toEqual([0, 1]);
    expect(await loaded.predictProba({ columns: features, data: xTest })).toEqual(boosted.predictProba(xTest));
    const { metrics } = await evaluate(loaded, { columns: features, data: xTest }, { targets: yTest, modelType: 'classifier', runId: null });
    expect(metrics.accuracy).toBeGreaterThan(0.85);
    expect(metrics.roc_auc).toBeGreaterThan(0.9);
    expect(metrics.log_loss).toBeGreaterThan(0);
  });

  it('a 3-class decision tree gives one probability column per class, labels as trained', async () => {
    const toy = makeClassification({ nSamples: 300, nFeatures: 20, nInformative: 6, nClasses: 3, seed: 7 });
    const tree = fitDecisionTree(toy.X, toy.y.map((c) => c + 5), { maxDepth: 5 });
    const dir = fresh();
    await saveModel(tree, dir, { signature });
    const loaded = await loadModel(dir);
    expect(loaded.classes).toEqual([5, 6, 7]);
    const predicted = (await loaded.predict(toy.X)) as number[];
    expect(new Set(predicted)).toEqual(new Set([5, 6, 7]));
    expect(predicted).toEqual(tree.predict(toy.X));
    expect(await loaded.predictProba(toy.X.slice(0, 5))).toEqual(tree.predictProba(toy.X.slice(0, 5)));
  });

  it('regressors have no probabilities', async () => {
    const regressor = fitGradientBoosting(xTrain, xTrain.map((r) => r[0] - r[1]), { objective: 'reg:squarederror', nEstimators: 20 });
    const dir = fresh();
    await saveModel(regressor, dir);
    const loaded = await loadModel(dir);
    expect(loaded.classes).toBeUndefined();
    expect(await loaded.predictProba(xTest)).toBeNull();
    expect(await loaded.predict(xTest)).toEqual(regressor.predict(xTest));
  });

  it('takes a 2-D tensor under a tensor signature, and a bare matrix without a signature (by position)', async () => {
    const tdir = fresh();
    await saveModel(boosted, tdir, { signature: { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 20] } }] } });
    expect(await (await loadModel(tdir)).predict(xTest.slice(0, 7))).toEqual(boosted.predict(xTest.slice(0, 7)));
    const bare = fresh();
    await saveModel(boosted, bare);
    expect(await (await loadModel(bare)).predict(xTest)).toEqual(boosted.predict(xTest));
  });

  it('puts columns in the signature order before predicting; no rows give no predictions', async () => {
    const dir = fresh();
    await saveModel(boosted, dir, { signature });
    const loaded = await loadModel(dir);
    const rows = xTest.slice(0, 10).map((r) => [...r].reverse());
    expect(await loaded.predict({ columns: [...features].reverse(), data: rows })).toEqual(boosted.predict(xTest.slice(0, 10)));
    expect(await loaded.predict({ columns: features, data: [] })).toEqual([]);
  });

  it('refuses rows of the wrong width and non-numbers with BadInputError (a 400 when served)', async () => {
    const dir = fresh();
    await saveModel(boosted, dir);
    const loaded = await loadModel(dir);
    await expect(async () => loaded.predict([xTest[0].slice(0, 19)])).rejects.toThrow(BadInputError);
    await expect(async () => loaded.predict([xTest[0].slice(0, 19)])).rejects.toThrow(/takes 20 features/);
    await expect(async () => loaded.predict([[...xTest[0].slice(0, 19), null]])).rejects.toThrow(/row 0, column '19': expected a number/);
  });
});

describe('loading a damaged model directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fresh();
    await saveModel(boosted, dir, { signature });
  });
  type Json = { format: string; classes: number[]; trees: { feature: number[]; left: number[] } };
  const edit = (f: (json: Json) => void) => {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json;
    f(json);
    return JSON.stringify(json);
  };
  async function loadWith(text: string): Promise<Error> {
    const copy = fresh();
    await saveModel(boosted, copy, { signature });
    writeFileSync(join(copy, 'model.json'), text);
    return loadModel(copy).then(
      () => {
        throw new Error('loaded a damaged model');
      },
      (err: Error) => err,
    );
  }

  it('a truncated file: not valid JSON, naming the file', async () => {
    const err = await loadWith(readFileSync(join(dir, 'model.json'), 'utf8').slice(0, 200));
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/model\.json is not valid JSON/);
  });

  it('a child pointing back at its parent (an endless walk) is refused, naming the file and the node', async () => {
    const err = await loadWith(edit((j) => (j.trees.left[0] = 0)));
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/model\.json does not hold a valid model: Cannot load the tree model: node 0 has an invalid split/);
  });

  it('a split on a feature the model does not have, bad classes, a wrong format', async () => {
    expect((await loadWith(edit((j) => (j.trees.feature[0] = 25)))).message).toMatch(/node 0 has an invalid split \(feature 25/);
    expect((await loadWith(edit((j) => (j.classes = [1, 1])))).message).toMatch(/classes must be two or more distinct finite numbers/);
    expect((await loadWith(edit((j) => (j.format = 'git-ml.decision-tree')))).message).toMatch(/model_type gradient_boosting, so the file's format must be "git-ml.gradient-boosting"/);
    expect((await loadWith('null')).message).toMatch(/format must be/);
  });
});

it('a DecisionTreeModel instance round-trips through the flavor directly', async () => {
  const tree = fitDecisionTree(xTrain, yTrain, { maxDepth: 6 });
  const dir = fresh();
  mkdirSync(dir);
  const config = await flavor.save(tree, { dir });
  const p = await flavor.load({ dir, config, mlmodel: { flavors: {} } as never });
  expect(await p.predict({ kind: 'frame', frame: { columns: features, data: xTest } })).toEqual(tree.predict(xTest));
  expect(p.classes).toEqual([0, 1]);
  expect(DecisionTreeModel.fromJSON(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).featureImportances).toEqual(tree.featureImportances);
});
