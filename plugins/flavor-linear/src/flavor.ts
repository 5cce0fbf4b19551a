import { createRequire } from 'node:module';
import { defineJsonFlavor } from '@git-ml/models';
import { LinearRegressionModel } from './linear-regression.js';
import { LogisticRegressionModel } from './logistic-regression.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The models the `git_ml_linear` flavor saves. */
export type LinearModel = LogisticRegressionModel | LinearRegressionModel;

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
export const flavor = defineJsonFlavor<LinearModel>({
  name: 'git_ml_linear',
  package: '@git-ml/flavor-linear',
  version,
  types: {
    logistic_regression: { class: LogisticRegressionModel, format: 'git-ml.logistic-regression', fromJSON: (j) => LogisticRegressionModel.fromJSON(j) },
    linear_regression: { class: LinearRegressionModel, format: 'git-ml.linear-regression', fromJSON: (j) => LinearRegressionModel.fromJSON(j) },
  },
});
