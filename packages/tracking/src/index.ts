export type { MigrateResult } from './store/migrate.js';
export { RUN_FORMAT } from './store/run-record.js';
export type { MetricColumns } from './store/metric-lines.js';
export type { RunImportRecord, RunImportResult } from './import-run.js';
export { MlClient, INPUTS_TAG, RUN_ID_PREFIX_MIN, type DatasetInput, type MlClientOptions, type ArtifactTransferOptions, type CreateRunOptions, type SearchRunsOptions, type ViewType } from './client.js';
export { type FileInfo, cleanArtifactPath, findEntry as findArtifactEntry, listArtifactTree, downloadArtifactTree } from './artifacts.js';
export { gitIdentity, signatureNow, osUser } from './store/identity.js';
export type { Run, RunInfo, RunData, Metric, Param, RunTag, Experiment, ExperimentTag, RunStatus, LifecycleStage } from './model.js';
export { RUN_STATUSES } from './model.js';
export { LIMITS } from './validate.js';
export { InvalidParameterError, NotFoundError, AlreadyExistsError, CorruptRecordError, MergeConflictError, AmbiguousRunIdError } from './errors.js';
export { FilterSyntaxError, OrderBySyntaxError, InvalidPageTokenError, InvalidArgumentError, parseFilter, parseOrderBy, type FilterNode, type OrderKey, type RunWindow, type RunWindowOptions } from './search/index.js';
/** Page tokens shared by every search (runs, registry, metric history): each carries its query. */
export { encodePageToken, decodePageToken, queryFingerprint } from './search/page-token.js';
export { searchExperiments as searchExperimentList, experimentFilter, EXPERIMENT_SCHEMA } from './search/search-experiments.js';
export { compileFilterFor, RUN_SCHEMA, type SearchSchema, type ValueGetter } from './search/index.js';
export { resolveRepo } from './repo-location.js';
export { SNAPSHOT_TAGS, snapshotTags, snapshotWarning } from './source-tags.js';
export { runRef, experimentRef, RUNS_PREFIX, EXPERIMENTS_PREFIX, DEFAULT_EXPERIMENT_ID } from './store/refs-layout.js';
export { GitMlError } from '@git-ml/gitstore';
export { push, pull, type PullResult, type PushResult } from './sync/sync.js';
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
