export {
  fitLogisticRegression,
  LogisticRegressionModel,
  type LogisticRegressionParams,
  type LogisticRegressionSettings,
  type LogisticRegressionJSON,
  type TrainingHistory,
} from './logistic-regression.js';
export { LinearModelError, InvalidInputError, IllConditionedError, ModelFormatError } from './errors.js';
export {
  fitLinearRegression,
  LinearRegressionModel,
  type LinearRegressionParams,
  type LinearRegressionSettings,
  type LinearRegressionJSON,
} from './linear-regression.js';
export { flavor, type LinearModel } from './flavor.js';
