export { defineFlavor, importFlavors, KNOWN_PACKAGES, type Flavor, type Predictor, type Prediction, type SaveContext, type LoadContext } from './flavor.js';
export { MLmodelSchema, GenericFlavorSchema, GENERIC_FLAVOR, mlmodelJsonSchema, readMLmodel, writeMLmodel, type MLmodel } from './mlmodel.js';
export { inferSignature, inferSpec, readSignature, signatureToMLmodel, isTensorSpec, COLUMN_TYPES, type Signature, type Spec, type ColSpec, type TensorSpec, type ColumnType } from './signature.js';
export { InputSchema, toModelInput, frameToMatrix, type Frame, type Tensor, type ModelInput } from './input.js';
export { saveModel, loadModel, logModel, modelDir, readInputExample, LoadedModel, GIT_ML_VERSION, type SaveOptions, type LoadOptions, type LogModelOptions } from './model.js';
export { parseJsonPayload, parseCsvPayload, parseCsv, predictionsBody } from './payload.js';
export { readJson } from './read-json.js';
export { DEFAULT_INPUT_LIMITS, inputLimits, type InputLimits } from './limits.js';
export { previewValue, previewString, previewName } from './preview.js';
export { createScoringServer, serveModel, type ServeOptions } from './serve.js';
export { ModelFormatError, FlavorNotAvailableError, BadInputError, InputLimitError } from './errors.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { classifierMetrics, regressorMetrics, rocCurve, confusion, type ClassifierMetrics, type RegressorMetrics } from './metrics.js';
export { confusionMatrixSvg, rocCurveSvg, barChartSvg } from './svg.js';
export { defineJsonFlavor, inputRows, MODEL_FILE, type JsonModel, type JsonModelType, type JsonFlavorOptions } from './json-flavor.js';

/** git-ml's one error class (from @git-ml/gitstore), for flavor plugins' own errors. */
export { GitMlError } from '@git-ml/gitstore';
