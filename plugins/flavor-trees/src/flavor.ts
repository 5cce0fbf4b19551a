import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineFlavor, ModelFormatError, type Predictor } from '@git-ml/models';
import { badModelFile, checkRebuilt, inputRows, readModelFile, writeModelFile } from './_flavor-io.js';
import { DecisionTreeModel } from './decision-tree.js';
import { GradientBoostingModel } from './gradient-boosting-model.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The models the `git_ml_trees` flavor saves. */
export type TreeModel = GradientBoostingModel | DecisionTreeModel;

const TYPES = {
  gradient_boosting: { format: 'git-ml.gradient-boosting', fromJSON: (j: unknown): TreeModel => GradientBoostingModel.fromJSON(j) },
  decision_tree: { format: 'git-ml.decision-tree', fromJSON: (j: unknown): TreeModel => DecisionTreeModel.fromJSON(j) },
} as const;
type ModelType = keyof typeof TYPES;

const isTreeModel = (m: unknown): m is TreeModel => m instanceof GradientBoostingModel || m instanceof DecisionTreeModel;

function predictor(model: TreeModel): Predictor {
  const n = model.nFeatures;
  const predict: Predictor['predict'] = (input) => {
    const rows = inputRows(input, n);
    return rows.length ? model.predict(rows) : [];
  };
  if (!model.classes) return { predict };
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
export const flavor = defineFlavor<TreeModel>({
  name: 'git_ml_trees',
  package: '@git-ml/flavor-trees',
  version,
  accepts: isTreeModel,
  async save(model, { dir }) {
    if (!isTreeModel(model)) throw new TypeError('The git_ml_trees flavor saves a GradientBoostingModel or a DecisionTreeModel (from fitGradientBoosting / fitDecisionTree).');
    const json = model.toJSON();
    const data = await writeModelFile(dir, json);
    return { data, model_type: model instanceof GradientBoostingModel ? 'gradient_boosting' : 'decision_tree', format: json.format };
  },
  async load({ dir, config }) {
    const { path, json } = await readModelFile(dir, config, 'git_ml_trees');
    const format = (json as { format?: unknown } | null)?.format;
    const given = config.model_type;
    const type = (given ?? Object.keys(TYPES).find((t) => TYPES[t as ModelType].format === format)) as ModelType | undefined;
    if (typeof type !== 'string' || !Object.hasOwn(TYPES, type)) {
      throw new ModelFormatError(
        given !== undefined
          ? `${join(dir, 'MLmodel')}: flavors.git_ml_trees.model_type is ${JSON.stringify(given)}; this version of @git-ml/flavor-trees loads ${Object.keys(TYPES).join(', ')}.`
          : `${path} has format ${JSON.stringify(format)}; expected one of ${Object.values(TYPES).map((t) => `"${t.format}"`).join(', ')}.`,
        { path },
      );
    }
    if (format !== TYPES[type].format) throw badModelFile(path, new Error(`MLmodel says model_type ${type}, so the file's format must be "${TYPES[type].format}"; found ${JSON.stringify(format)}.`));
    let model: TreeModel;
    try {
      model = TYPES[type].fromJSON(json);
      checkRebuilt(model);
    } catch (err) {
      throw badModelFile(path, err);
    }
    return predictor(model);
  },
});
