export { MlClient, INPUTS_TAG, type DatasetInput, type MlClientOptions, type CreateRunOptions, type SearchRunsOptions, type ViewType } from './client.js';
export { type FileInfo, cleanArtifactPath, findEntry as findArtifactEntry, listArtifactTree, downloadArtifactTree } from './artifacts.js';
export { gitIdentity, signatureNow, osUser } from './store/identity.js';
export type { Run, RunInfo, RunData, Metric, Param, RunTag, Experiment, ExperimentTag, RunStatus, LifecycleStage } from './model.js';
export { RUN_STATUSES } from './model.js';
export { LIMITS } from './validate.js';
export { InvalidParameterError, NotFoundError, AlreadyExistsError, CorruptRecordError, MergeConflictError } from './errors.js';
export { FilterSyntaxError, OrderBySyntaxError, InvalidPageTokenError, InvalidArgumentError, parseFilter } from './search/index.js';
export { resolveRepo } from './repo-location.js';
export { runRef, experimentRef, RUNS_PREFIX, EXPERIMENTS_PREFIX, DEFAULT_EXPERIMENT_ID } from './store/refs-layout.js';
export { GitMlError } from '@git-ml/gitstore';
export { push, pull, type PullResult, type PushResult } from './sync/sync.js';
export { git, isAncestor, mergeBase, pushRefs } from './sync/git-cli.js';
export {
  getClient,
  setTrackingRepo,
  setExperiment,
  startRun,
  activeRun,
  endRun,
  logParam,
  logParams,
  logMetric,
  logMetrics,
  setTag,
  setTags,
  logArtifact,
  logArtifacts,
  logText,
  logDict,
  type ActiveRun,
} from './fluent.js';
