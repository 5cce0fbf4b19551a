import type { Experiment, RunImportRecord } from '@git-ml/tracking';

/**
 * What an import reads, whatever it reads it from (an mlruns/ tree, a tracking server's REST API).
 * Every source feeds the same writer (import.ts), so both kinds of import write, resume and
 * report alike. `where` names an item in the summary: a path, or a URL of the server's UI.
 */
export type SourceExperiment = Omit<Experiment, 'artifact_location'>;

/** An item of the source, or why it cannot be read. */
export type Item<T> = { where: string; value: T } | { where: string; error: unknown };

export interface SourceRun {
  where: string;
  run_id: string;
}

export interface ReadRun {
  record: RunImportRecord;
  /** imported, with a remark (no artifacts, …) */
  warnings: string[];
  /** called once the run is written (a source deletes downloaded artifacts here) */
  release?: () => Promise<void> | void;
}

/** What the repository already holds of a run, so a source can leave out what it need not fetch. */
export interface RunHere {
  /** every artifact file of the run here (path → size), or null when the run is not here */
  artifacts(runId: string): Map<string, number> | null;
}

export interface SourceVersion {
  where: string;
  version: number;
  run_id: string | null;
  /** the source string as MLflow recorded it */
  source: string;
  description: string;
  tags: Record<string, string>;
  /** MLflow's stage: None, Staging, Production, Archived (Deleted_Internal: see `deleted`) */
  current_stage: string;
  user_id: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  /** a version MLflow deleted but still lists (FileStore keeps its folder as `Deleted_Internal`) */
  deleted: boolean;
}

export interface SourceModel {
  where: string;
  name: string;
  description: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  tags: Record<string, string>;
  /** alias → version number */
  aliases: Record<string, string>;
  /** ascending by number; numbers may have gaps (versions MLflow deleted and no longer lists) */
  versions: SourceVersion[];
}

export interface ImportSource {
  /** what the summary names: the mlruns/ folder or the server's URL */
  readonly location: string;
  /** how many runs to read ahead while earlier ones are written (1: one at a time) */
  readonly readAhead: number;
  /** every experiment, deleted ones included */
  experiments(): Promise<Item<SourceExperiment>[]>;
  /** every run of an experiment, deleted ones included */
  runs(experiment: SourceExperiment, where: string): Promise<SourceRun[]>;
  /** one whole run, read and checked before anything of it is written */
  readRun(experiment: SourceExperiment, run: SourceRun, here: RunHere): Promise<ReadRun>;
  /** every registered model with its versions and aliases */
  models(): Promise<Item<SourceModel>[]>;
  /** releases what the source holds (temporary folders, connections) */
  close(): Promise<void>;
}

/**
 * The path inside the run's artifacts that a version's source names: `runs:/<id>/<path>`, or an
 * artifact location ending in `…/<run_id>/artifacts/<path>` (`file:`, `mlflow-artifacts:`, `s3:`,
 * a plain path, as MLflow recorded it); null when it names no file of its run.
 */
export function artifactPathOf(v: Pick<SourceVersion, 'source' | 'run_id'>): string | null {
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(v.source);
  if (runs) return runs[1] === v.run_id || !v.run_id ? runs[2] : null;
  if (!v.run_id) return null;
  const marker = `/${v.run_id}/artifacts`;
  const at = v.source.indexOf(marker);
  if (at < 0) return null;
  const rest = v.source.slice(at + marker.length);
  if (rest !== '' && !rest.startsWith('/')) return null;
  return rest.replace(/^\/+/, '');
}
