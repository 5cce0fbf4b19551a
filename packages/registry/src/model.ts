/** MLflow's registry entities, in the JSON shape of MLflow's REST API. */

export interface KeyValue {
  key: string;
  value: string;
}

export interface ModelVersion {
  name: string;
  /** a string, as MLflow's API returns it */
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: 'READY';
  run_link: string;
  tags: KeyValue[];
  aliases: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  description: string;
  latest_versions: ModelVersion[];
  tags: KeyValue[];
  aliases: RegisteredModelAlias[];
}

/** One entry of a model's audit trail (`git-ml models history`). */
export interface HistoryEvent {
  /** ms since the epoch */
  timestamp: number;
  user: string;
  action: string;
  version?: string;
  alias?: string;
  detail: string;
  /** the commit or tag object that records it */
  object: string;
}
