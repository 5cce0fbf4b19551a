export { defineFlavor, importFlavors, KNOWN_PACKAGES, type Flavor, type Predictor, type Prediction, type SaveContext, type LoadContext } from './flavor.js';
export { MLmodelSchema, GenericFlavorSchema, GENERIC_FLAVOR, mlmodelJsonSchema, readMLmodel, writeMLmodel, type MLmodel } from './mlmodel.js';
export { inferSignature, inferSpec, readSignature, signatureToMLmodel, isTensorSpec, COLUMN_TYPES, type Signature, type Spec, type ColSpec, type TensorSpec, type ColumnType } from './signature.js';
export { InputSchema, toModelInput, frameToMatrix, type Frame, type Tensor, type ModelInput } from './input.js';
export { saveModel, loadModel, logModel, modelDir, readInputExample, LoadedModel, GIT_ML_VERSION, type SaveOptions, type LoadOptions, type LogModelOptions } from './model.js';
export { parseJsonPayload, parseCsvPayload, parseCsv, predictionsBody } from './payload.js';
export { createScoringServer, serveModel, type ServeOptions } from './serve.js';
export { ModelFormatError, FlavorNotAvailableError, BadInputError } from './errors.js';
