import { createRequire } from 'node:module';
import { defineFlavor } from '@git-ml/models';
import { loadOnnx } from './load.js';
import { isOnnxModel, saveOnnx, type OnnxModel } from './save.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * The `onnx` flavor: MLflow's own flavor name and directory layout, run on onnxruntime-node (CPU).
 * `loadModel` finds it for models saved by MLflow's `mlflow.onnx` as well as by git-ml.
 *
 * @example
 * import { saveModel, loadModel } from '@git-ml/models';
 * import { flavor } from '@git-ml/flavor-onnx';
 * await saveModel(readFileSync('model.onnx'), 'out/model', { flavor });
 * const model = await loadModel('out/model');
 * await model.predict([[0.1, 0.2, 0.3]]);
 */
export const flavor = defineFlavor<OnnxModel>({
  name: 'onnx',
  package: '@git-ml/flavor-onnx',
  version,
  accepts: isOnnxModel,
  save: (model, ctx) => saveOnnx(model, ctx.dir),
  load: (ctx) => loadOnnx(ctx),
});
