/**
 * The shapes git-ml hands to users: MLflow's JSON shapes for runs and experiments, so that code
 * written against MLflow's REST API or `MlflowClient` reads git-ml's results unchanged.
 */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
export type LifecycleStage = 'active' | 'deleted';

/** One logged metric point. `value` may be NaN or ±Infinity. */
export interface Metric {
  key: string;
  value: number;
  /** milliseconds since the epoch */
  timestamp: number;
  step: number;
}

export interface Param {
  key: string;
  value: string;
}

export interface RunTag {
  key: string;
  value: string;
}

export interface RunInfo {
  run_id: string;
  /** MLflow keeps this field for compatibility; always equal to run_id. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: LifecycleStage;
  artifact_uri: string;
}

export interface RunData {
  /** the latest point of every metric (greatest step, then greatest timestamp) */
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

/** A run in MLflow's JSON shape. */
export interface Run {
  info: RunInfo;
  data: RunData;
}

export interface ExperimentTag {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
  tags: ExperimentTag[];
}
