import type { LifecycleStage, RunStatus } from './model.js';
import type { Entry, RunInfoRecord, RunState } from './store/run-state.js';

/**
 * A run as another tracking store recorded it — its own id, times, user, status and full metric
 * histories — for `MlClient.importRun` (used by `git-ml import`, see docs/migrate.md).
 */
export interface RunImportRecord {
  info: RunInfoRecord;
  params: Record<string, string>;
  /** every tag, system tags (`mlflow.*`) included, exactly as the source had them */
  tags: Record<string, string>;
  /** full histories, in logging order */
  metrics: Record<string, { value: number; timestamp: number; step: number }[]>;
  /** a local directory holding the run's artifacts, stored as they are; null for none */
  artifactsDir: string | null;
}

export interface RunImportResult {
  outcome: 'created' | 'updated' | 'unchanged';
  params: number;
  tags: number;
  metricPoints: number;
  /** true when artifacts were added */
  artifacts: boolean;
  /** values that differ and were left as they are here (params are write-once) */
  conflicts: string[];
}

/** Journal form of a metric value (JSON has no NaN or Infinity). */
export function metricJson(v: number): number | string {
  return Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

function pointKey(p: { value: number; timestamp: number; step: number }): string {
  return `${p.timestamp} ${Object.is(p.value, -0) ? 0 : p.value} ${p.step}`;
}

/**
 * The entries that bring an existing run up to the record: new params (a different value is a
 * conflict, kept as it is), new or changed tags, metric points the run lacks (a multiset difference,
 * so an import cut off part way resumes without duplicating points), changed info fields.
 * `history(key)` reads the run's stored points of a metric whose count differs from the record's.
 */
export function entriesToUpdate(
  state: RunState,
  rec: RunImportRecord,
  history: (key: string) => { value: number; timestamp: number; step: number }[],
  result: RunImportResult,
): Entry[] {
  const out: Entry[] = [];
  for (const [k, v] of Object.entries(rec.params)) {
    const old = state.params.get(k);
    if (old === undefined) {
      out.push({ op: 'p', k, v });
      result.params++;
    } else if (old !== v) result.conflicts.push(`param '${k}' is '${old}' here and '${v}' in the source; kept '${old}'`);
  }
  for (const [k, v] of Object.entries(rec.tags)) {
    if (state.tags.get(k) !== v) {
      out.push({ op: 't', k, v });
      result.tags++;
    }
  }
  for (const [k, points] of Object.entries(rec.metrics)) {
    const have = state.metrics.get(k)?.count ?? 0;
    if (have === points.length) continue;
    const stored = new Map<string, number>();
    for (const p of have === 0 ? [] : history(k)) stored.set(pointKey(p), (stored.get(pointKey(p)) ?? 0) + 1);
    for (const p of points) {
      const key = pointKey(p);
      const n = stored.get(key) ?? 0;
      if (n > 0) stored.set(key, n - 1);
      else {
        out.push({ op: 'm', k, v: metricJson(p.value), t: p.timestamp, s: p.step });
        result.metricPoints++;
      }
    }
  }
  const info: RunInfoRecord = state.info;
  const u: Extract<Entry, { op: 'u' }> = { op: 'u' };
  if (info.status !== rec.info.status) u.status = rec.info.status;
  if (info.end_time !== rec.info.end_time) u.end_time = rec.info.end_time;
  if (info.lifecycle_stage !== rec.info.lifecycle_stage) u.lifecycle_stage = rec.info.lifecycle_stage;
  if (info.run_name !== rec.info.run_name && rec.tags['mlflow.runName'] === undefined) u.run_name = rec.info.run_name;
  if (Object.keys(u).length > 1) out.push(u);
  return out;
}
