/**
 * The HTTP calls the UI makes: MLflow's REST API (the same one the Python client uses) under
 * /ajax-api/2.0/mlflow, plus git-ml's read endpoints under /ajax-api/2.0/git-ml.
 */

export interface KeyValue {
  key: string;
  value: string;
}
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface RunInfo {
  run_id: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time?: number;
  lifecycle_stage: string;
  artifact_uri: string;
}
export interface Run {
  info: RunInfo;
  data: { metrics: Metric[]; params: KeyValue[]; tags: KeyValue[] };
  inputs?: { dataset_inputs: { dataset: { name: string; digest: string; source_type?: string }; tags: KeyValue[] }[] };
}
export interface Experiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  creation_time?: number;
  last_update_time?: number;
  tags?: KeyValue[];
  run_count: number;
  running_count: number;
  last_activity: number | null;
}
export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}
export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source: string;
  run_id: string;
  status?: string;
  tags?: KeyValue[];
  aliases?: string[];
}
export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: { alias: string; version: string }[];
}
export interface HistoryEvent {
  timestamp: number;
  user: string;
  action: string;
  version?: string;
  alias?: string;
  detail: string;
  object: string;
}
export interface Series {
  run_id: string;
  key: string;
  step: Float64Array;
  timestamp: Float64Array;
  value: Float64Array;
  /** points in the whole history (more than `value.length` when thinned for display) */
  count: number;
  min: number | null;
  max: number | null;
}
export interface SignatureColumn {
  name?: string;
  type: string;
  spec?: string;
  required?: boolean;
}
export interface LoggedModel {
  artifact_path: string;
  flavors: string[];
  signature: { inputs: SignatureColumn[] | null; outputs: SignatureColumn[] | null } | null;
  error?: string;
}
export interface RunWindow {
  runs: Run[];
  total: number;
  child_counts: Record<string, number>;
}
export interface Source {
  commit: string | null;
  head: string | null;
  branch: string | null;
  dirty: boolean;
  repo_url: string | null;
  snapshot_mode: string | null;
  omitted: { path: string; size: number }[];
  diff?: string;
  diff_truncated?: boolean;
  diff_error?: string;
}

/** An error answered by the server, with the character position for filter and order_by errors. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly position?: number,
  ) {
    super(message);
  }
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** protobuf JSON spells non-finite doubles as strings; turn them back into numbers */
function revive(_key: string, v: unknown): unknown {
  return typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v;
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

function qs(query: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function call<T>(url: string, init?: RequestInit, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { ...init, signal });
  const text = await res.text();
  if (!res.ok) {
    let body: { error_code?: string; message?: string; details?: { position?: number } } = {};
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    throw new ApiError(body.message ?? `${res.status} ${res.statusText}`, body.error_code ?? 'HTTP_ERROR', res.status, body.details?.position);
  }
  return JSON.parse(text, revive) as T;
}

const mlflow = (path: string, query: Query = {}, signal?: AbortSignal) => call<any>(`ajax-api/2.0/mlflow/${path}${qs(query)}`, undefined, signal);
const gitml = (path: string, query: Query = {}, signal?: AbortSignal) => call<any>(`ajax-api/2.0/git-ml/${path}${qs(query)}`, undefined, signal);

export const api = {
  experiments: (view = 'ACTIVE_ONLY'): Promise<Experiment[]> => gitml('experiments/summary', { run_view_type: view }).then((r) => r.experiments),
  experiment: (id: string): Promise<Experiment> => mlflow('experiments/get', { experiment_id: id }).then((r) => r.experiment),
  runWindow: (q: { experimentIds: string[]; filter?: string; orderBy?: string[]; offset: number; limit: number; view?: string; statuses?: string[]; groupNested?: boolean; parentRunId?: string }, signal?: AbortSignal): Promise<RunWindow> =>
    gitml(
      'runs/window',
      {
        experiment_ids: q.experimentIds,
        filter: q.filter,
        order_by: q.orderBy,
        offset: q.offset,
        limit: q.limit,
        run_view_type: q.view,
        statuses: q.statuses,
        group_nested: q.groupNested && !q.parentRunId ? 'true' : undefined,
        parent_run_id: q.parentRunId,
      },
      signal,
    ),
  runKeys: (experimentIds: string[]): Promise<{ params: string[]; metrics: string[]; tags: string[] }> => gitml('runs/keys', { experiment_ids: experimentIds, run_view_type: 'ALL' }),
  run: (id: string): Promise<Run> => mlflow('runs/get', { run_id: id }).then((r) => r.run),
  /** a metric's history as float64 columns (binary: no JSON for 100 000-point series) */
  series: async (runId: string, key: string, maxPoints?: number, signal?: AbortSignal, offset?: number): Promise<Series> => {
    const res = await fetch(`ajax-api/2.0/git-ml/metrics/series${qs({ run_id: runId, metric_key: key, max_points: maxPoints, offset, format: 'f64' })}`, { signal });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new ApiError(body.message ?? `${res.status} ${res.statusText}`, body.error_code ?? 'HTTP_ERROR', res.status);
    }
    const all = new Float64Array(await res.arrayBuffer());
    const n = all[0];
    // min/max over no points are ±Infinity the wrong way round: say "none" then
    const none = all[1] === 0;
    return { run_id: runId, key, count: all[1], min: none ? null : all[2], max: none ? null : all[3], step: all.subarray(4, 4 + n), timestamp: all.subarray(4 + n, 4 + 2 * n), value: all.subarray(4 + 2 * n, 4 + 3 * n) };
  },
  artifacts: (runId: string, path = ''): Promise<FileInfo[]> => mlflow('artifacts/list', { run_id: runId, path }).then((r) => r.files ?? []),
  artifactUrl: (runId: string, path: string, inline = false) => `get-artifact${qs({ path, run_uuid: runId, inline: inline ? '1' : undefined })}`,
  artifactText: async (runId: string, path: string, maxBytes: number): Promise<{ text: string; cut: boolean }> => {
    const res = await fetch(`get-artifact${qs({ path, run_uuid: runId })}`);
    if (!res.ok) throw new ApiError(`${res.status} ${res.statusText}`, 'HTTP_ERROR', res.status);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        break;
      }
    }
    const all = new Uint8Array(Math.min(size, maxBytes));
    let at = 0;
    for (const c of chunks) {
      const n = Math.min(c.length, all.length - at);
      all.set(c.subarray(0, n), at);
      at += n;
    }
    return { text: new TextDecoder().decode(all), cut: size > maxBytes };
  },
  source: (runId: string): Promise<Source> => gitml('runs/source', { run_id: runId }),
  models: (): Promise<RegisteredModel[]> => mlflow('registered-models/search', { max_results: 1000 }).then((r) => r.registered_models ?? []),
  model: (name: string): Promise<RegisteredModel> => mlflow('registered-models/get', { name }).then((r) => r.registered_model),
  versions: (filter: string): Promise<ModelVersion[]> => mlflow('model-versions/search', { filter, max_results: 10000 }).then((r) => r.model_versions ?? []),
  history: (name: string): Promise<HistoryEvent[]> => gitml('registered-models/history', { name }).then((r) => r.events),
  loggedModels: (runId: string): Promise<LoggedModel[]> => gitml('runs/logged-models', { run_id: runId }).then((r) => r.models),
};

/** A value quoted for the search grammar. */
export function quote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
