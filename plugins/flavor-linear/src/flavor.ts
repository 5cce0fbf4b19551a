import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineFlavor, ModelFormatError, type Predictor } from '@git-ml/models';
import { badModelFile, checkRebuilt, inputRows, readModelFile, writeModelFile } from './_flavor-io.js';
import { LinearRegressionModel } from './linear-regression.js';
import { LogisticRegressionModel } from './logistic-regression.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The models the `git_ml_linear` flavor saves. */
export type LinearModel = LogisticRegressionModel | LinearRegressionModel;

const TYPES = {
  logistic_regression: { format: 'git-ml.logistic-regression', fromJSON: (j: unknown): LinearModel => LogisticRegressionModel.fromJSON(j) },
  linear_regression: { format: 'git-ml.linear-regression', fromJSON: (j: unknown): LinearModel => LinearRegressionModel.fromJSON(j) },
} as const;
type ModelType = keyof typeof TYPES;

const isLinearModel = (m: unknown): m is LinearModel => m instanceof LogisticRegressionModel || m instanceof LinearRegressionModel;

function predictor(model: LinearModel): Predictor {
  const n = model.nFeatures;
  const predict: Predictor['predict'] = (input) => {
    const rows = inputRows(input, n);
    return rows.length ? model.predict(rows) : [];
  };
  if (!(model instanceof LogisticRegressionModel)) return { predict };
  return {
    predict,
    predictProba: (input) => {
      const rows = inputRows(input, n);
      return rows.length ? model.predictProba(rows) : [];
    },
    classes: [...model.classes],
  };
}

/**
 * The `git_ml_linear` flavor: logistic and linear/ridge regression saved as `model.json` (the
 * model's `toJSON()`), loaded back with `fromJSON` — plain data, nothing evaluated.
 *
 * @example
 * import { saveModel, loadModel } from '@git-ml/models';
 * import { fitLogisticRegression, flavor } from '@git-ml/flavor-linear';
 * await saveModel(fitLogisticRegression(X, y), 'out/model', { flavor, signature });
 * await (await loadModel('out/model')).predict({ columns, data });
 */
export const flavor = defineFlavor<LinearModel>({
  name: 'git_ml_linear',
  package: '@git-ml/flavor-linear',
  version,
  accepts: isLinearModel,
  async save(model, { dir }) {
    if (!isLinearModel(model)) throw new TypeError('The git_ml_linear flavor saves a LogisticRegressionModel or a LinearRegressionModel (from fitLogisticRegression / fitLinearRegression).');
    const json = model.toJSON();
    const data = await writeModelFile(dir, json);
    return { data, model_type: model instanceof LogisticRegressionModel ? 'logistic_regression' : 'linear_regression', format: json.format };
  },
  async load({ dir, config }) {
    const { path, json } = await readModelFile(dir, config, 'git_ml_linear');
    const format = (json as { format?: unknown } | null)?.format;
    const given = config.model_type;
    const type = (given ?? Object.keys(TYPES).find((t) => TYPES[t as ModelType].format === format)) as ModelType | undefined;
    if (typeof type !== 'string' || !Object.hasOwn(TYPES, type)) {
      throw new ModelFormatError(
        given !== undefined
          ? `${join(dir, 'MLmodel')}: flavors.git_ml_linear.model_type is ${JSON.stringify(given)}; this version of @git-ml/flavor-linear loads ${Object.keys(TYPES).join(', ')}.`
          : `${path} has format ${JSON.stringify(format)}; expected one of ${Object.values(TYPES).map((t) => `"${t.format}"`).join(', ')}.`,
        { path },
      );
    }
    if (format !== TYPES[type].format) throw badModelFile(path, new Error(`MLmodel says model_type ${type}, so the file's format must be "${TYPES[type].format}"; found ${JSON.stringify(format)}.`));
    let model: LinearModel;
    try {
      model = TYPES[type].fromJSON(json);
      checkRebuilt(model);
    } catch (err) {
      throw badModelFile(path, err);
    }
    return predictor(model);
  },
});
