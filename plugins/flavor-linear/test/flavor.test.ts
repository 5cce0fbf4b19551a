/**
 * The git_ml_linear flavor beyond the conformance suite: flavor picked by `accepts`, probabilities
 * and classes for evaluate, tensor and signature-less input, and clear errors for bad input and for
 * corrupt or hand-edited model files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClassification, readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import { BadInputError, evaluate, loadModel, ModelFormatError, readMLmodel, saveModel, type Signature } from '@git-ml/models';
import { fitLinearRegression, fitLogisticRegression, flavor, LinearRegressionModel, LogisticRegressionModel } from '@git-ml/flavor-linear';

const CSV = resolve(import.meta.dirname, '../../../fixtures/classification_1000x20_seed42.csv');
const tmp = mkdtempSync(join(tmpdir(), 'flavor-linear-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(tmp, `m${n++}`);

let features: string[];
let xTrain: number[][];
let yTrain: number[];
let xTest: number[][];
let yTest: number[];
let logreg: LogisticRegressionModel;
let signature: Signature;

beforeAll(async () => {
  const t = splitTarget(await readCsv(CSV), 'target');
  features = t.features;
  const { train, test } = trainTestSplit(t.X.length, { testSize: 0.2, randomState: 42 });
  [xTrain, yTrain, xTest, yTest] = [selectRows(t.X, train), selectRows(t.y, train), selectRows(t.X, test), selectRows(t.y, test)];
  logreg = fitLogisticRegression(xTrain, yTrain);
  signature = { inputs: features.map((name) => ({ type: 'double', name, required: true })), outputs: [{ type: 'long', required: true }] };
});

describe('saving', () => {
  it('is picked by accepts when no flavor is given, and records model_type and format', async () => {
    const dir = fresh();
    const mlmodel = await saveModel(logreg, dir, { signature });
    expect(mlmodel.flavors.git_ml_linear).toEqual({ data: 'model.json', model_type: 'logistic_regression', format: 'git-ml.logistic-regression' });
    expect(mlmodel.flavors.git_ml).toMatchObject({ loader_package: '@git-ml/flavor-linear', flavor: 'git_ml_linear', package_version: '0.1.0' });
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(logreg.toJSON())));
    const linear = fitLinearRegression(xTrain, yTrain, { alpha: 0.1 }); // the fixture has redundant columns
    expect((await saveModel(linear, fresh())).flavors.git_ml_linear).toMatchObject({ model_type: 'linear_regression', format: 'git-ml.linear-regression' });
  });

  it('accepts only linear models', () => {
    expect(flavor.accepts!(logreg)).toBe(true);
    expect(flavor.accepts!(logreg.toJSON())).toBe(false);
    expect(flavor.accepts!(null)).toBe(false);
  });
});

describe('predicting', () => {
  it('gives probabilities and classes, so evaluate computes roc_auc and log_loss', async () => {
    const dir = fresh();
    await saveModel(logreg, dir, { signature });
    const loaded = await loadModel(dir);
    expect(loaded.classes).toEqual([0, 1]);
    expect(await loaded.predictProba({ columns: features, data: xTest })).toEqual(logreg.predictProba(xTest));
    const { metrics } = await evaluate(loaded, { columns: features, data: xTest }, { targets: yTest, modelType: 'classifier', runId: null });
    expect(metrics.accuracy).toBeCloseTo(0.855, 3);
    expect(metrics.roc_auc).toBeGreaterThan(0.9);
    expect(metrics.log_loss).toBeGreaterThan(0);
  });

  it('multinomial models give one probability column per class, labels as trained', async () => {
    const toy = makeClassification({ nSamples: 300, nFeatures: 20, nInformative: 6, nClasses: 3, seed: 7 });
    const model = fitLogisticRegression(toy.X, toy.y.map((c) => c * 10));
    const dir = fresh();
    await saveModel(model, dir, { signature });
    const loaded = await loadModel(dir);
    expect(loaded.classes).toEqual([0, 10, 20]);
    const predicted = (await loaded.predict(toy.X)) as number[];
    expect(new Set(predicted)).toEqual(new Set([0, 10, 20]));
    expect(predicted).toEqual(model.predict(toy.X));
    expect(await loaded.predictProba(toy.X.slice(0, 5))).toEqual(model.predictProba(toy.X.slice(0, 5)));
  });

  it('regressors have no probabilities', async () => {
    const linear = fitLinearRegression(xTrain, yTrain, { alpha: 1 });
    const dir = fresh();
    await saveModel(linear, dir);
    const loaded = await loadModel(dir);
    expect(loaded.classes).toBeUndefined();
    expect(await loaded.predictProba(xTest)).toBeNull();
    expect(await loaded.predict(xTest)).toEqual(linear.predict(xTest));
  });

  it('takes a 2-D tensor under a tensor signature, and a bare matrix without a signature (by position)', async () => {
    const tdir = fresh();
    await saveModel(logreg, tdir, { signature: { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 20] } }] } });
    expect(await (await loadModel(tdir)).predict(xTest.slice(0, 7))).toEqual(logreg.predict(xTest.slice(0, 7)));
    const bare = fresh();
    await saveModel(logreg, bare);
    expect(await (await loadModel(bare)).predict(xTest)).toEqual(logreg.predict(xTest));
  });

  it('puts columns in the signature order before predicting', async () => {
    const dir = fresh();
    await saveModel(logreg, dir, { signature });
    const loaded = await loadModel(dir);
    const reversed = [...features].reverse();
    const rows = xTest.slice(0, 10).map((r) => [...r].reverse());
    expect(await loaded.predict({ columns: reversed, data: rows })).toEqual(logreg.predict(xTest.slice(0, 10)));
    expect(await loaded.predict({ columns: features, data: [] })).toEqual([]);
  });

  it('refuses rows of the wrong width and non-numbers with BadInputError (a 400 when served)', async () => {
    const dir = fresh();
    await saveModel(logreg, dir);
    const loaded = await loadModel(dir);
    const short = xTest.slice(0, 2).map((r) => r.slice(0, 19));
    await expect(async () => loaded.predict(short)).rejects.toThrow(BadInputError);
    await expect(async () => loaded.predict(short)).rejects.toThrow(/takes 20 features/);
    await expect(async () => loaded.predict([[...xTest[0].slice(0, 19), 'x']])).rejects.toThrow(/row 0, column '19': expected a number/);
    await expect(async () => loaded.predict([[...xTest[0].slice(0, 19), NaN]])).rejects.toThrow(BadInputError);
    // booleans are numbers 0/1, as frameToMatrix reads them
    expect(await loaded.predict([[...xTest[0].slice(0, 19), true]])).toEqual(logreg.predict([[...xTest[0].slice(0, 19), 1]]));
  });
});

describe('loading a damaged model directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fresh();
    await saveModel(logreg, dir, { signature });
  });
  /** model.json's text after an edit of its JSON. */
  const edit = (f: (json: Record<string, unknown>) => unknown) => ({ text: JSON.stringify(f(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')))) });
  async function withModelJson(text: string, mlmodelEdit?: (s: string) => string): Promise<unknown> {
    const copy = fresh();
    await saveModel(logreg, copy, { signature });
    writeFileSync(join(copy, 'model.json'), text);
    if (mlmodelEdit) writeFileSync(join(copy, 'MLmodel'), mlmodelEdit(readFileSync(join(copy, 'MLmodel'), 'utf8')));
    return loadModel(copy).then(
      () => null,
      (err: unknown) => err,
    );
  }

  it('a truncated file: not valid JSON, naming the file', async () => {
    const err = (await withModelJson(readFileSync(join(dir, 'model.json'), 'utf8').slice(0, 100))) as Error;
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/model\.json is not valid JSON/);
  });

  it('hand-edited weights: names the file and what is wrong', async () => {
    const { text } = edit((j) => ({ ...j, coef: [[...(j.coef as number[][])[0].slice(1), 'x']] }));
    const err = (await withModelJson(text)) as Error;
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/model\.json does not hold a valid model: Cannot load the linear model: coef must hold/);
  });

  it('non-numeric classes, a wrong format, or an unknown model_type', async () => {
    expect(((await withModelJson(edit((j) => ({ ...j, classes: ['a', 'b'] })).text)) as Error).message).toMatch(/classes must be two or more distinct finite numbers/);
    expect(((await withModelJson(edit((j) => ({ ...j, format: 'git-ml.linear-regression' })).text)) as Error).message).toMatch(/model_type logistic_regression, so the file's format must be "git-ml.logistic-regression"/);
    expect(((await withModelJson(readFileSync(join(dir, 'model.json'), 'utf8'), (s) => s.replace('model_type: logistic_regression', 'model_type: svm'))) as Error).message).toMatch(/model_type is "svm"; this version of @git-ml\/flavor-linear loads logistic_regression, linear_regression/);
    expect(((await withModelJson('"__proto__"')) as Error).message).toMatch(/format must be/);
  });

  it('a data path outside the model directory is refused', async () => {
    const err = (await withModelJson(readFileSync(join(dir, 'model.json'), 'utf8'), (s) => s.replace('data: model.json', 'data: ../../etc/passwd'))) as Error;
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/points outside the model directory/);
  });

  it('a missing file names it', async () => {
    const err = (await withModelJson(readFileSync(join(dir, 'model.json'), 'utf8'), (s) => s.replace('data: model.json', 'data: weights.json'))) as Error;
    expect(err.message).toMatch(/weights\.json cannot be read \(ENOENT\)/);
  });
});

it('a LinearRegressionModel instance round-trips through the flavor directly', async () => {
  const linear = fitLinearRegression(xTrain, yTrain, { alpha: 0.1 }); // the fixture has redundant columns
  const dir = fresh();
  mkdirSync(dir);
  const config = await flavor.save(linear, { dir });
  const p = await flavor.load({ dir, config, mlmodel: { flavors: {} } as never });
  expect(await p.predict({ kind: 'frame', frame: { columns: features, data: xTest } })).toEqual(linear.predict(xTest));
  expect(p.predictProba).toBeUndefined();
  expect(LinearRegressionModel.fromJSON(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).coef).toEqual(linear.coef);
});
