// Serving-bench cases for the model flavors: a logistic regression (@git-ml/flavor-linear), 100
// depth-3 boosted trees (@git-ml/flavor-trees), both trained here on the fixture CSV, and the
// MLflow-saved ONNX logistic regression (@git-ml/flavor-onnx). serve.mjs's serveBench consumes them.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv, selectRows, splitTarget, trainTestSplit } from '@git-ml/datasets';
import { fitLogisticRegression, flavor as linearFlavor } from '@git-ml/flavor-linear';
import { fitGradientBoosting, flavor as treesFlavor } from '@git-ml/flavor-trees';
import { flavor as onnxFlavor } from '@git-ml/flavor-onnx';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** [{ name, model, flavor, signature, columns, rows }]: rows are test rows of numbers in column order. */
export async function flavorCases() {
  const { features, X, y } = splitTarget(await readCsv(join(FIXTURES, 'classification_1000x20_seed42.csv')), 'target');
  const { train, test } = trainTestSplit(X.length, { testSize: 0.2, randomState: 42 });
  const xTrain = selectRows(X, train);
  const yTrain = selectRows(y, train);
  const rows = selectRows(X, test);
  // The ONNX model's input is one float tensor X [N, 20]; with a column signature, the onnx flavor
  // stacks the 20 columns of a dataframe_split request into that tensor.
  const signature = { inputs: features.map((name) => ({ type: 'double', name, required: true })), outputs: [{ type: 'long', required: true }] };
  const common = { signature, columns: features, rows };
  return [
    { name: 'logistic regression (git_ml_linear)', model: fitLogisticRegression(xTrain, yTrain), flavor: linearFlavor, ...common },
    { name: 'gradient boosting, 100 trees depth 3 (git_ml_trees)', model: fitGradientBoosting(xTrain, yTrain, { nEstimators: 100, maxDepth: 3 }), flavor: treesFlavor, ...common },
    { name: 'MLflow ONNX logistic regression (onnx)', model: await readFile(join(FIXTURES, 'mlflow-onnx-logreg', 'model.onnx')), flavor: onnxFlavor, ...common },
  ];
}
