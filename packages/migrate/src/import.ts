import type { RegistryClient } from '@git-ml/registry';
import { GitMlError } from '@git-ml/gitstore';
import { AlreadyExistsError, NotFoundError, type Experiment, type MlClient } from '@git-ml/tracking';
import { BadSourceError, SourceUnreachableError } from './errors.js';
import { importRegistry } from './import-registry.js';
import type { ImportSource, ReadRun, RunHere, SourceExperiment, SourceRun } from './source.js';

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

/** What an import did; `skipped` names every item left out, with the path (or URL) and the reason. */
export interface ImportSummary {
  /** the mlruns/ folder or the server's URL */
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
  /** imported, with a remark (artifacts missing, a value that differs and was kept, …) */
  warnings: string[];
  seconds: number;
}

export interface ImportProgress {
  /** listing: the runs of each experiment are being listed (a server answers one search per page) */
  phase: 'listing' | 'runs' | 'models';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** import only the experiments with these names (the registry's versions of their runs too) */
  experiments?: string[];
  onProgress?: (p: ImportProgress) => void;
}

const emptyCounts = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });

/** Why an item was skipped; anything that is not about the item (a bug, a lost server) is rethrown. */
export function reason(err: unknown): string {
  if (err instanceof SourceUnreachableError) throw err;
  if (err instanceof BadSourceError) return err.message.slice(err.path.length + 2);
  if (err instanceof GitMlError) return err.message;
  // an unreadable file or folder (permissions, a broken link): skip the item, name the cause
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string') return err.message;
  throw err;
}

function whereOf(err: unknown, fallback: string): string {
  return err instanceof BadSourceError ? err.path : fallback;
}

/**
 * The one writer of every import: reads experiments, runs and the registry from `source` and writes
 * them into the repository of `client`, keeping experiment ids, run ids, times, users, statuses,
 * full metric histories, tags, artifacts, version numbers, aliases and registry times (see
 * docs/migrate.md). Importing again adds only what is new or changed; a broken item is skipped
 * whole and named in the summary, everything else is imported.
 */
export async function importFromSource(client: MlClient, registry: RegistryClient, source: ImportSource, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  const s: ImportSummary = {
    source: source.location,
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
  try {
    const wanted = options.experiments?.length ? new Set(options.experiments) : null;
    const work: { exp: SourceExperiment; runs: SourceRun[] }[] = [];
    const seenNames = new Set<string>();
    const experiments = await source.experiments();
    let listed = 0;
    for (const item of experiments) {
      options.onProgress?.({ phase: 'listing', done: listed++, total: experiments.length });
      if ('error' in item) {
        s.skipped.push({ path: whereOf(item.error, item.where), reason: `experiment and its runs skipped: ${reason(item.error)}` });
        continue;
      }
      const exp = item.value;
      if (wanted && !wanted.has(exp.name)) continue;
      seenNames.add(exp.name);
      if (!upsertExperiment(client, exp, item.where, s)) continue;
      try {
        work.push({ exp, runs: await source.runs(exp, item.where) });
      } catch (err) {
        s.skipped.push({ path: whereOf(err, item.where), reason: `runs of experiment '${exp.name}' skipped: ${reason(err)}` });
      }
    }
    options.onProgress?.({ phase: 'listing', done: experiments.length, total: experiments.length });
    for (const name of wanted ?? []) if (!seenNames.has(name)) s.skipped.push({ path: source.location, reason: `no experiment named '${name}' in the source` });

    const imported = await importRuns(client, source, work, s, options.onProgress);
    await importRegistry(client, registry, await source.models(), wanted ? imported : null, s, options.onProgress);
  } finally {
    await source.close();
  }
  s.seconds = (Date.now() - started) / 1000;
  return s;
}

/** Writes the runs in order while the source reads up to `readAhead` of the next ones. */
async function importRuns(
  client: MlClient,
  source: ImportSource,
  work: { exp: SourceExperiment; runs: SourceRun[] }[],
  s: ImportSummary,
  onProgress?: (p: ImportProgress) => void,
): Promise<Set<string>> {
  const total = work.reduce((n, w) => n + w.runs.length, 0);
  const here: RunHere = { artifacts: (runId) => artifactsHere(client, runId) };
  const queue = work.flatMap(({ exp, runs }) => runs.map((run) => ({ exp, run })));
  const pending: Promise<{ read?: ReadRun; error?: unknown }>[] = [];
  let next = 0;
  const startRead = () => {
    const { exp, run } = queue[next++];
    pending.push(source.readRun(exp, run, here).then((read) => ({ read }), (error: unknown) => ({ error })));
  };
  const imported = new Set<string>();
  let done = 0;
  try {
    for (let i = 0; i < queue.length; i++) {
      while (next < queue.length && pending.length < Math.max(1, source.readAhead)) startRead();
      const { read, error } = await pending.shift()!;
      const { run } = queue[i];
      try {
        if (error !== undefined) throw error;
        const r = await client.importRun(read!.record);
        s.runs[r.outcome]++;
        s.params += r.params;
        s.tags += r.tags;
        s.metricPoints += r.metricPoints;
        if (r.artifacts) s.runsWithNewArtifacts++;
        s.warnings.push(...read!.warnings, ...r.conflicts.map((c) => `${run.where}: ${c}`));
        imported.add(run.run_id);
      } catch (err) {
        s.skipped.push({ path: whereOf(err, run.where), reason: `run skipped: ${reason(err)}` });
      } finally {
        await read?.release?.();
      }
      done++;
      onProgress?.({ phase: 'runs', done, total });
      if (done % 500 === 0) client.flush();
    }
  } finally {
    // a fatal error (the server went away): let the reads in flight finish and clean up
    for (const p of pending) await p.then((x) => x.read?.release?.());
    client.flush();
  }
  return imported;
}

/** Every artifact file a run has here (path → size), or null when the run is not here. */
function artifactsHere(client: MlClient, runId: string): Map<string, number> | null {
  const out = new Map<string, number>();
  const walk = (path?: string) => {
    for (const f of client.listArtifacts(runId, path)) {
      if (f.is_dir) walk(f.path);
      else out.set(f.path, f.file_size ?? 0);
    }
  };
  try {
    walk();
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
  return out;
}

/** Creates the experiment under its MLflow id, or brings an existing one's tags and stage up to date. */
function upsertExperiment(client: MlClient, exp: SourceExperiment, where: string, s: ImportSummary): boolean {
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
          path: where,
          reason: `experiment '${exp.name}' (id ${exp.experiment_id}) and its runs skipped: an experiment of that name already exists here with id ${clash.experiment_id}. Rename one of them (\`git-ml experiments rename\`) and import again.`,
        });
        return false;
      }
      client.importExperiment(exp);
      s.experiments.created++;
      return true;
    }
    if (here.name !== exp.name) {
      s.skipped.push({ path: where, reason: `experiment and its runs skipped: id ${exp.experiment_id} is experiment '${here.name}' here, not '${exp.name}'. Rename it here (\`git-ml experiments rename\`) if it is the same one, then import again.` });
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
    s.skipped.push({ path: where, reason: `experiment and its runs skipped: ${reason(err)}` });
    return false;
  }
}
