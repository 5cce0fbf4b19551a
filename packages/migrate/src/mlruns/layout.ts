/** MLflow FileStore's names (mlflow/store/tracking/file_store.py, mlflow/store/model_registry/file_store.py). */
export const META = 'meta.yaml';
export const TRASH = '.trash';
export const MODELS = 'models';
export const RUN_DIRS = { params: 'params', metrics: 'metrics', tags: 'tags', artifacts: 'artifacts' } as const;

/** RunStatus enum values in meta.yaml (mlflow/protos/service.proto). */
export const STATUS_BY_NUMBER: Record<number, 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};
export const NUMBER_BY_STATUS = Object.fromEntries(Object.entries(STATUS_BY_NUMBER).map(([n, s]) => [s, Number(n)])) as Record<string, number>;

/** SourceType enum (service.proto): meta.yaml's `source_type`; git-ml keeps `mlflow.source.type` as a tag. */
export const SOURCE_TYPE_NUMBER: Record<string, number> = { NOTEBOOK: 1, JOB: 2, PROJECT: 3, LOCAL: 4, UNKNOWN: 1000 };
