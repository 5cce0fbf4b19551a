import { createRequire } from 'node:module';
import { defineJsonFlavor } from '@git-ml/models';
import { DecisionTreeModel } from './decision-tree.js';
import { GradientBoostingModel } from './gradient-boosting-model.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The models the `git_ml_trees` flavor saves. */
export type TreeModel = GradientBoostingModel | DecisionTreeModel;

/**
 * The `git_ml_trees` flavor: gradient-boosted trees and decision trees saved as `model.json` (the
 * model's `toJSON()`, trees as flat arrays), loaded back with `fromJSON`, which checks every split
 * and child index — plain data, nothing evaluated.
 *
 * @example
 * import { saveModel, loadModel } from '@git-ml/models';
 * import { fitGradientBoosting, flavor } from '@git-ml/flavor-trees';
 * await saveModel(fitGradientBoosting(X, y), 'out/model', { flavor, signature });
 * await (await loadModel('out/model')).predict({ columns, data });
 */
export const flavor = defineJsonFlavor<TreeModel>({
  name: 'git_ml_trees',
  package: '@git-ml/flavor-trees',
  version,
  types: {
    gradient_boosting: { class: GradientBoostingModel, format: 'git-ml.gradient-boosting', fromJSON: (j) => GradientBoostingModel.fromJSON(j) },
    decision_tree: { class: DecisionTreeModel, format: 'git-ml.decision-tree', fromJSON: (j) => DecisionTreeModel.fromJSON(j) },
  },
});
