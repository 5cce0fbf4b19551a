export { fitGradientBoosting, type GradientBoostingParams } from './gradient-boosting.js';
export {
  GradientBoostingModel,
  type GradientBoostingJSON,
  type GradientBoostingSettings,
  type BoostingHistory,
  type ImportanceType,
} from './gradient-boosting-model.js';
export { fitDecisionTree, DecisionTreeModel, type DecisionTreeParams, type DecisionTreeSettings, type DecisionTreeJSON } from './decision-tree.js';
export type { FlatForestJSON } from './flat-forest.js';
export type { ObjectiveName } from './objectives.js';
export { TreeModelError, InvalidInputError, ModelFormatError } from './errors.js';
export { flavor, type TreeModel } from './flavor.js';
