import type { LifecycleStage, Metric, RunStatus } from '../model.js';
import { addPoint, emptySeries, type MetricSeries } from './metric-series.js';

export type { MetricSeries };

export interface RunSource {
  commit: string | null;
  head: string | null;
  dirty: boolean | null;
  branch: string | null;
}

export interface RunInfoRecord {
  run_id: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: LifecycleStage;
}

/** An artifact entry: a blob or a whole tree placed at `path` under `artifacts/`. */
export interface ArtifactEntry {
  path: string;
  oid: string;
  mode: '100644' | '100755' | '40000';
}

/** Everything known about a run, from its ref plus any pending journal entries. */
export interface RunState {
  info: RunInfoRecord;
  source: RunSource | null;
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Map<string, MetricSeries>;
  /** tree oid of the committed `artifacts/` directory */
  artifactsTree: string | null;
  /** artifacts added since that tree */
  artifactAdds: ArtifactEntry[];
  /** warnings gathered while applying entries (e.g. a param logged with two values by two processes) */
  conflicts: string[];
}

/** A journal entry. Short op names keep the hot path (one line per logMetric) small. */
export type Entry =
  | { op: 'create'; info: RunInfoRecord; source: RunSource | null; tags: Record<string, string>; params?: Record<string, string> }
  | { op: 'p'; k: string; v: string }
  | { op: 'm'; k: string; v: number | string; t: number; s: number }
  | { op: 't'; k: string; v: string }
  | { op: 'dt'; k: string }
  | { op: 'u'; status?: RunStatus; end_time?: number | null; run_name?: string; lifecycle_stage?: LifecycleStage }
  | { op: 'a'; path: string; oid: string; mode: ArtifactEntry['mode'] }
  | { op: 'own' };

export function newRunState(e: Extract<Entry, { op: 'create' }>): RunState {
  return {
    info: { ...e.info },
    source: e.source,
    params: new Map(Object.entries(e.params ?? {})),
    tags: new Map(Object.entries(e.tags)),
    metrics: new Map(),
    artifactsTree: null,
    artifactAdds: [],
    conflicts: [],
  };
}

export function cloneRunState(s: RunState): RunState {
  return {
    info: { ...s.info },
    source: s.source,
    params: new Map(s.params),
    tags: new Map(s.tags),
    metrics: new Map([...s.metrics].map(([k, m]) => [k, { ...m }])),
    artifactsTree: s.artifactsTree,
    artifactAdds: [...s.artifactAdds],
    conflicts: [...s.conflicts],
  };
}

function metricValue(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'nan' ? Number.NaN : v === '-inf' ? -Infinity : Infinity;
}

/** Applies one journal entry. Params are write-once: a different second value is kept out and reported. */
export function applyEntry(s: RunState, e: Entry): void {
  switch (e.op) {
    case 'create':
    case 'own':
      return;
    case 'p': {
      const old = s.params.get(e.k);
      if (old === undefined) s.params.set(e.k, e.v);
      else if (old !== e.v) s.conflicts.push(`param '${e.k}' was logged as '${old}' and as '${e.v}'; kept '${old}'`);
      return;
    }
    case 'm': {
      const point: Metric = { key: e.k, value: metricValue(e.v), timestamp: e.t, step: e.s };
      let m = s.metrics.get(e.k);
      if (!m) s.metrics.set(e.k, (m = emptySeries()));
      addPoint(m, point);
      return;
    }
    case 't':
      s.tags.set(e.k, e.v);
      if (e.k === 'mlflow.runName') s.info.run_name = e.v;
      return;
    case 'dt':
      s.tags.delete(e.k);
      return;
    case 'u':
      if (e.status !== undefined) s.info.status = e.status;
      if (e.end_time !== undefined) s.info.end_time = e.end_time;
      if (e.lifecycle_stage !== undefined) s.info.lifecycle_stage = e.lifecycle_stage;
      if (e.run_name !== undefined) {
        s.info.run_name = e.run_name;
        s.tags.set('mlflow.runName', e.run_name);
      }
      return;
    case 'a':
      s.artifactAdds.push({ path: e.path, oid: e.oid, mode: e.mode });
      return;
  }
}

/** The journal form of a metric point (JSON has no NaN or Infinity). */
export function metricEntry(r: string, k: string, v: number, t: number, s: number): string {
  const val = Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '"nan"' : v > 0 ? '"inf"' : '"-inf"';
  return `{"r":"${r}","op":"m","k":${JSON.stringify(k)},"v":${val},"t":${t},"s":${s}}\n`;
}
