export { RegistryClient, STAGE_TAG, type CreateModelVersionOptions, type ImportedTimes, type RegistryClientOptions, type SearchOptions, type ResolvedModel } from './client.js';
export type { ModelVersion, RegisteredModel, RegisteredModelAlias, HistoryEvent, KeyValue } from './model.js';
export { parseModelUri, type ModelUri } from './uri.js';
export { encodeModelName, decodeModelName, validateAlias, validateModelName, parseVersionTag, RECORDS_PREFIX } from './names.js';
export { pushRegistry, pullRegistry, type RegistryPullResult, type RegistryPushResult } from './sync.js';
