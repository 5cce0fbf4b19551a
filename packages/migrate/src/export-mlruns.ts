import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STAGE_TAG, type RegistryClient } from '@git-ml/registry';
import { NotFoundError, type Experiment, type MlClient, type Run } from '@git-ml/tracking';
import { stringify } from 'yaml';
import { MigrateError } from './errors.js';
import { META, MODELS, NUMBER_BY_STATUS, RUN_DIRS, SOURCE_TYPE_NUMBER, TRASH } from './mlruns/layout.js';

export interface ExportSummary {
  dest: string;
  experiments: number;
  runs: number;
  metricPoints: number;
  models: number;
  versions: number;
  skipped: { path: string; reason: string }[];
  seconds: number;
}

export interface ExportOptions {
  onProgress?: (p: { phase: 'runs'; done: number; total: number }) => void;
}

/** MLflow writes metric values with Python's repr(float); these read back to the same double. */
function formatValue(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
}

function writeYaml(dir: string, doc: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, META), stringify(doc, { lineWidth: 0 }));
}

/** FileStore's params/, tags/: a file per key, `/` in a key being a sub-folder. */
function writeKeyFiles(dir: string, entries: { key: string; value: string }[]): void {
  mkdirSync(dir, { recursive: true });
  for (const { key, value } of entries) {
    const path = join(dir, ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, value);
  }
}

/**
 * Writes everything in the repository as an MLflow FileStore tree at `dest` (which must not exist
 * or be empty) that `MlflowClient("file:<dest>")` reads: experiments (deleted ones under `.trash/`),
 * runs with their ids, infos, params, tags, full metric histories and artifacts, and the registry
 * under `models/`. The tree is built beside `dest` and renamed into place at the end, so a failed
 * export leaves nothing half-written at `dest`.
 */
export async function exportMlruns(client: MlClient, registry: RegistryClient, destPath: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const started = Date.now();
  const dest = resolve(destPath.startsWith('file:') ? destPath.slice(5).replace(/^\/\/(?=\/)/, '') : destPath);
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new MigrateError(`${dest} is not empty. Export into a new or empty folder.`, { path: dest });
  const work = `${dest}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const s: ExportSummary = { dest, experiments: 0, runs: 0, metricPoints: 0, models: 0, versions: 0, skipped: [], seconds: 0 };
  try {
    client.flush();
    const exps = client.searchExperiments({ viewType: 'ALL', maxResults: Number.MAX_SAFE_INTEGER });
    const placeOf = new Map<string, string>();
    for (const e of exps) {
      const rel = e.lifecycle_stage === 'deleted' ? join(TRASH, e.experiment_id) : e.experiment_id;
      placeOf.set(e.experiment_id, rel);
      writeExperiment(join(work, rel), e, dest);
      s.experiments++;
    }
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = client.searchRuns([...placeOf.keys()], '', { runViewType: 'ALL', maxResults: 50_000, pageToken });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken);
    for (const run of runs) {
      const rel = join(placeOf.get(run.info.experiment_id)!, run.info.run_id);
      s.metricPoints += await writeRun(client, join(work, rel), run, join(dest, rel));
      s.runs++;
      options.onProgress?.({ phase: 'runs', done: s.runs, total: runs.length });
    }
    exportRegistry(registry, join(work, MODELS), s);
    if (existsSync(dest)) rmdirSync(dest);
    renameSync(work, dest);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  s.seconds = (Date.now() - started) / 1000;
  return s;
}

function writeExperiment(dir: string, e: Experiment, dest: string): void {
  writeYaml(dir, {
    artifact_location: pathToFileURL(join(dest, e.experiment_id)).href,
    creation_time: e.creation_time,
    experiment_id: e.experiment_id,
    last_update_time: e.last_update_time,
    lifecycle_stage: e.lifecycle_stage,
    name: e.name,
  });
  writeKeyFiles(join(dir, RUN_DIRS.tags), e.tags);
}

async function writeRun(client: MlClient, dir: string, run: Run, finalDir: string): Promise<number> {
  const { info, data } = run;
  const sourceType = data.tags.find((t) => t.key === 'mlflow.source.type')?.value ?? 'LOCAL';
  writeYaml(dir, {
    artifact_uri: pathToFileURL(join(finalDir, RUN_DIRS.artifacts)).href,
    end_time: info.end_time,
    entry_point_name: '',
    experiment_id: info.experiment_id,
    lifecycle_stage: info.lifecycle_stage,
    run_id: info.run_id,
    run_name: info.run_name,
    run_uuid: info.run_id,
    source_name: '',
    source_type: SOURCE_TYPE_NUMBER[sourceType] ?? SOURCE_TYPE_NUMBER.LOCAL,
    source_version: '',
    start_time: info.start_time,
    status: NUMBER_BY_STATUS[info.status],
    tags: [],
    user_id: info.user_id,
  });
  writeKeyFiles(join(dir, RUN_DIRS.params), data.params);
  writeKeyFiles(join(dir, RUN_DIRS.tags), data.tags);
  let points = 0;
  const metricsDir = join(dir, RUN_DIRS.metrics);
  mkdirSync(metricsDir, { recursive: true });
  for (const m of data.metrics) {
    const history = client.getMetricHistory(info.run_id, m.key);
    const path = join(metricsDir, ...m.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, history.map((p) => `${p.timestamp} ${formatValue(p.value)} ${p.step}\n`).join(''));
    points += history.length;
  }
  const artifacts = join(dir, RUN_DIRS.artifacts);
  mkdirSync(artifacts, { recursive: true });
  if (client.listArtifacts(info.run_id).length > 0) await client.downloadArtifacts(info.run_id, '', artifacts);
  return points;
}

function exportRegistry(registry: RegistryClient, root: string, s: ExportSummary): void {
  const models = [];
  let pageToken: string | undefined;
  do {
    const page = registry.searchRegisteredModels({ maxResults: 50_000, pageToken });
    models.push(...page.registered_models);
    pageToken = page.nextPageToken;
  } while (pageToken);
  for (const m of models) {
    if (m.name.includes('/') || m.name.startsWith('.')) {
      s.skipped.push({ path: m.name, reason: `registered model '${m.name}' not exported: MLflow's file store keeps a model in a folder named after it, which cannot hold '/' or start with '.'` });
      continue;
    }
    const dir = join(root, m.name);
    const aliases = Object.fromEntries(m.aliases.map((a) => [a.alias, String(a.version)]));
    writeYaml(dir, {
      aliases,
      creation_timestamp: m.creation_timestamp,
      description: m.description || null,
      last_updated_timestamp: m.last_updated_timestamp,
      name: m.name,
    });
    writeKeyFiles(join(dir, RUN_DIRS.tags), m.tags ?? []);
    writeKeyFiles(join(dir, 'aliases'), Object.entries(aliases).map(([key, value]) => ({ key, value })));
    const snap = registry.snapshot(m.name);
    for (const v of snap.versions) {
      const n = v.record.version;
      let live = null;
      try {
        live = registry.getModelVersion(m.name, n);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      const source = `runs:/${v.record.run_id}/${v.record.artifact_path}`;
      const vdir = join(dir, `version-${n}`);
      // git-ml keeps a stage as the version tag git-ml.stage (see registry.md); MLflow has a field
      const stage = live?.tags.find((t) => t.key === STAGE_TAG)?.value;
      writeYaml(vdir, {
        aliases: [],
        creation_timestamp: v.record.creation_timestamp,
        current_stage: live ? (stage ?? 'None') : 'Deleted_Internal',
        description: (live?.description ?? v.record.description) || null,
        last_updated_timestamp: live?.last_updated_timestamp ?? snap.state?.versions[String(n)]?.last_updated_timestamp ?? v.record.creation_timestamp,
        name: m.name,
        run_id: v.record.run_id,
        run_link: null,
        source,
        status: 'READY',
        status_message: null,
        storage_location: source,
        user_id: v.record.user_id || null,
        version: n,
      });
      writeKeyFiles(join(vdir, RUN_DIRS.tags), (live?.tags ?? []).filter((t) => t.key !== STAGE_TAG));
      s.versions++;
    }
    s.models++;
  }
}
