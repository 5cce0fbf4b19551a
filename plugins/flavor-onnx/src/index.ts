export { flavor } from './flavor.js';
export { loadOnnx, OnnxPredictor } from './load.js';
export { saveOnnx, isOnnxModel, MODEL_FILE, type OnnxModel } from './save.js';
