import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitMlError } from '@git-ml/gitstore';
import type { RegistryClient } from '@git-ml/registry';
import { AlreadyExistsError, NotFoundError, type Experiment, type MlClient } from '@git-ml/tracking';
import { BadSourceError, MigrateError } from './errors.js';
import { META, MODELS, TRASH } from './mlruns/layout.js';
import { experimentDirs, readExperiment, readRun, runDirs, type SourceExperiment } from './mlruns/read-tracking.js';
import { importRegistry } from './import-registry.js';

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

/** What an import did; `skipped` names every item left out, with the path and the reason. */
export interface ImportSummary {
  source: string;
  experiments: Counts;
  runs: Counts;
  /** params, tags and metric points written (new or changed) */
  params: number;
  tags: number;
  metricPoints: number;
  runsWithNewArtifacts: number;
  models: Counts;
  versions: Counts;
  skipped: { path: string; reason: string }[];
  /** imported, with a remark (artifacts folder missing, a value that differs and was kept, …) */
  warnings: string[];
  seconds: number;
}

export interface ImportProgress {
  phase: 'runs' | 'models';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** import only the experiments with these names (the registry's versions of their runs too) */
  experiments?: string[];
  onProgress?: (p: ImportProgress) => void;
}

/** Finds the FileStore root: PATH itself, a `file:` URI, or a folder holding `mlruns/`. */
export function resolveMlrunsRoot(path: string): string {
  const p = path.startsWith('file:') ? fileURLToPath(path.startsWith('file://') ? path : `file://${resolve(path.slice(5))}`) : resolve(path);
  if (!existsSync(p) || !statSync(p).isDirectory()) throw new MigrateError(`${p} is not a folder. Pass the MLflow FileStore folder (the one usually called mlruns/).`, { path: p });
  const looksLike = (d: string) =>
    existsSync(join(d, TRASH)) || existsSync(join(d, MODELS)) || readdirSync(d, { withFileTypes: true }).some((e) => e.isDirectory() && existsSync(join(d, e.name, META)));
  if (looksLike(p)) return p;
  if (existsSync(join(p, 'mlruns')) && looksLike(join(p, 'mlruns'))) return join(p, 'mlruns');
  throw new MigrateError(`${p} does not look like an MLflow FileStore tree (no <experiment-id>/meta.yaml, .trash/ or models/ in it). Pass the mlruns/ folder itself.`, { path: p });
}

function emptyCounts(): Counts {
  return { created: 0, updated: 0, unchanged: 0 };
}

function reason(err: unknown): string {
  if (err instanceof BadSourceError) return err.message.slice(err.path.length + 2);
  if (err instanceof GitMlError) return err.message;
  // an unreadable file or folder (permissions, a broken link): skip the item, name the cause
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string') return err.message;
  throw err;
}

/**
 * Imports an MLflow FileStore tree into the repository of `client`, keeping experiment ids, run ids,
 * times, users, statuses, full metric histories, tags and artifacts, and the registry under
 * `models/` (see docs/migrate.md). Importing again adds only what is new or changed; a broken item
 * is skipped whole and named in the summary, everything else is imported.
 */
export async function importMlruns(client: MlClient, registry: RegistryClient, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  const root = resolveMlrunsRoot(path);
  const s: ImportSummary = {
    source: root,
    experiments: emptyCounts(),
    runs: emptyCounts(),
    params: 0,
    tags: 0,
    metricPoints: 0,
    runsWithNewArtifacts: 0,
    models: emptyCounts(),
    versions: emptyCounts(),
    skipped: [],
    warnings: [],
    seconds: 0,
  };
  const wanted = options.experiments?.length ? new Set(options.experiments) : null;
  const work: { exp: SourceExperiment; runs: string[] }[] = [];
  const seenNames = new Set<string>();
  for (const dir of experimentDirs(root)) {
    let exp: SourceExperiment;
    try {
      exp = readExperiment(dir);
    } catch (err) {
      s.skipped.push({ path: dir, reason: `experiment and its runs skipped: ${reason(err)}` });
      continue;
    }
    if (wanted && !wanted.has(exp.name)) continue;
    seenNames.add(exp.name);
    if (basename(dir) !== exp.experiment_id) {
      s.skipped.push({ path: join(dir, META), reason: `experiment_id '${exp.experiment_id}' does not match its folder name; experiment skipped` });
      continue;
    }
    const ok = upsertExperiment(client, exp, dir, s);
    if (ok) work.push({ exp, runs: runDirs(dir) });
  }
  for (const name of wanted ?? []) if (!seenNames.has(name)) s.skipped.push({ path: root, reason: `no experiment named '${name}' in the source` });

  const total = work.reduce((n, w) => n + w.runs.length, 0);
  let done = 0;
  const imported = new Set<string>();
  for (const { exp, runs } of work) {
    for (const dir of runs) {
      try {
        const { record, warnings } = readRun(dir, exp.experiment_id);
        if (basename(dir) !== record.info.run_id) throw new BadSourceError(join(dir, META), `run_id '${record.info.run_id}' does not match the folder name`);
        const r = await client.importRun(record);
        s.runs[r.outcome]++;
        s.params += r.params;
        s.tags += r.tags;
        s.metricPoints += r.metricPoints;
        if (r.artifacts) s.runsWithNewArtifacts++;
        s.warnings.push(...warnings, ...r.conflicts.map((c) => `${dir}: ${c}`));
        imported.add(record.info.run_id);
      } catch (err) {
        s.skipped.push({ path: err instanceof BadSourceError ? err.path : dir, reason: `run skipped: ${reason(err)}` });
      }
      done++;
      options.onProgress?.({ phase: 'runs', done, total });
      if (done % 500 === 0) client.flush();
    }
  }
  client.flush();
  await importRegistry(client, registry, join(root, MODELS), wanted ? imported : null, s, options.onProgress);
  s.seconds = (Date.now() - started) / 1000;
  return s;
}

/** Creates the experiment under its MLflow id, or brings an existing one's tags and stage up to date. */
function upsertExperiment(client: MlClient, exp: SourceExperiment, dir: string, s: ImportSummary): boolean {
  let here: Experiment | null = null;
  try {
    here = client.getExperiment(exp.experiment_id);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  // the default experiment is virtual until written: give it MLflow's record
  const virtualDefault = here?.experiment_id === '0' && here.creation_time === 0 && here.last_update_time === 0 && here.name === exp.name;
  try {
    if (virtualDefault) {
      try {
        client.importExperiment(exp);
        s.experiments.created++;
        return true;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err; // it has a record already: update it below
      }
    }
    if (!here) {
      const clash = client.getExperimentByName(exp.name);
      if (clash) {
        s.skipped.push({
          path: dir,
          reason: `experiment '${exp.name}' (id ${exp.experiment_id}) and its runs skipped: an experiment of that name already exists here with id ${clash.experiment_id}. Rename one of them (\`git-ml experiments rename\`) and import again.`,
        });
        return false;
      }
      client.importExperiment(exp);
      s.experiments.created++;
      return true;
    }
    if (here!.name !== exp.name) {
      s.skipped.push({ path: dir, reason: `experiment and its runs skipped: id ${exp.experiment_id} is experiment '${here.name}' here, not '${exp.name}'. Rename it here (\`git-ml experiments rename\`) if it is the same one, then import again.` });
      return false;
    }
    let changed = false;
    for (const t of exp.tags) {
      if (here.tags.find((x) => x.key === t.key)?.value !== t.value) {
        client.setExperimentTag(exp.experiment_id, t.key, t.value);
        changed = true;
      }
    }
    if (here.lifecycle_stage !== exp.lifecycle_stage && exp.experiment_id !== '0') {
      if (exp.lifecycle_stage === 'deleted') client.deleteExperiment(exp.experiment_id);
      else client.restoreExperiment(exp.experiment_id);
      changed = true;
    }
    s.experiments[changed ? 'updated' : 'unchanged']++;
    return true;
  } catch (err) {
    s.skipped.push({ path: dir, reason: `experiment and its runs skipped: ${reason(err)}` });
    return false;
  }
}
