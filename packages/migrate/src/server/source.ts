import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunImportRecord } from '@git-ml/tracking';
import { BadSourceError, MigrateError, SourceRequestError, SourceUnreachableError } from '../errors.js';
import type { ImportSource, Item, ReadRun, RunHere, SourceExperiment, SourceModel, SourceRun, SourceVersion } from '../source.js';
import { RestClient } from './rest.js';

export interface ServerSourceOptions {
  /** environment for credentials (MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN); default process.env */
  env?: NodeJS.ProcessEnv;
  /** runs read at once while earlier ones are written (default 8) */
  readAhead?: number;
}

const API = '/api/2.0/mlflow';
const PROXY = '/api/2.0/mlflow-artifacts/artifacts';
const PAGE = 1000;
const HISTORY_PAGE = 25_000;
const STATUSES = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

type Json = Record<string, unknown>;

/** A protobuf-JSON int64: a number or a string of digits. */
function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** A protobuf-JSON double: a number, or "NaN", "Infinity", "-Infinity" (or digits in a string). */
function double(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (v === 'NaN' || v === 'nan') return Number.NaN;
  if (v === 'Infinity' || v === 'inf') return Infinity;
  if (v === '-Infinity' || v === '-inf') return -Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);

function keyValues(where: string, field: string, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list(v)) {
    const key = str(kv.key);
    if (key === undefined) throw new BadSourceError(where, `a ${field} without a key (${JSON.stringify(kv).slice(0, 80)})`);
    out[key] = str(kv.value) ?? '';
  }
  return out;
}

function need<T>(where: string, what: string, name: string, v: T | undefined, raw: unknown): T {
  if (v === undefined) throw new BadSourceError(where, `${what} field '${name}' is missing or invalid (${JSON.stringify(raw) ?? 'absent'})`);
  return v;
}

/** Pages through a search endpoint; `field` is the list in each answer. */
async function* pages(rest: RestClient, method: 'GET' | 'POST', path: string, params: Json, field: string): AsyncGenerator<Json> {
  let token: string | undefined;
  do {
    const body = await rest.json(method, path, { ...params, ...(token ? { page_token: token } : {}) });
    yield* list(body[field]);
    token = str(body.next_page_token) || undefined;
  } while (token);
}

/**
 * A running MLflow tracking server (or `git-ml server`) as an import source, through MLflow's REST
 * API: experiments and runs with `view_type=ALL` (deleted ones too), full metric histories from
 * `metrics/get-history` (paged where the server pages), artifacts listed with `artifacts/list` and
 * fetched through the artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/…`) or, for runs whose
 * artifacts the server does not proxy, `/get-artifact`, and the registry. `where` is the item's
 * page in the server's UI.
 */
export async function serverSource(url: string, options: ServerSourceOptions = {}): Promise<ImportSource> {
  const rest = new RestClient(url, options.env);
  const base = rest.base;
  const tmp = await mkdtemp(join(tmpdir(), 'git-ml-import-'));
  /** runs as runs/search returned them, until read */
  const found = new Map<string, Json>();

  async function experiments(): Promise<Item<SourceExperiment>[]> {
    const out: Item<SourceExperiment>[] = [];
    try {
      for await (const e of pages(rest, 'POST', `${API}/experiments/search`, { view_type: 'ALL', max_results: PAGE }, 'experiments')) {
        const where = `${base}/#/experiments/${str(e.experiment_id) ?? '?'}`;
        try {
          const what = 'experiment';
          const creation = int(e.creation_time) ?? 0;
          const stage = e.lifecycle_stage === 'deleted' ? 'deleted' : e.lifecycle_stage === 'active' || e.lifecycle_stage === undefined ? 'active' : undefined;
          out.push({
            where,
            value: {
              experiment_id: need(where, what, 'experiment_id', str(e.experiment_id), e.experiment_id),
              name: need(where, what, 'name', str(e.name), e.name),
              lifecycle_stage: need(where, what, 'lifecycle_stage', stage, e.lifecycle_stage),
              creation_time: creation,
              last_update_time: int(e.last_update_time) ?? creation,
              tags: Object.entries(keyValues(where, 'tag', e.tags)).map(([key, value]) => ({ key, value })),
            },
          });
        } catch (error) {
          out.push({ where, error });
        }
      }
    } catch (err) {
      // the first call: say plainly when the URL is not an MLflow server at all
      if (err instanceof SourceRequestError && (err.status === 404 || err.status === 405 || err.message.includes('not MLflow'))) {
        throw new MigrateError(`${base} does not answer MLflow's REST API (${err.message}). Pass the tracking server's base URL, e.g. --from http://127.0.0.1:5000.`, { url: base });
      }
      throw err;
    }
    return out;
  }

  async function runs(exp: SourceExperiment): Promise<SourceRun[]> {
    const out: SourceRun[] = [];
    for await (const r of pages(rest, 'POST', `${API}/runs/search`, { experiment_ids: [exp.experiment_id], run_view_type: 'ALL', max_results: PAGE }, 'runs')) {
      const info = (r.info ?? {}) as Json;
      const id = str(info.run_id) ?? str(info.run_uuid) ?? '';
      found.set(id, r);
      out.push({ where: `${base}/#/experiments/${exp.experiment_id}/runs/${id}`, run_id: id });
    }
    return out;
  }

  async function history(runId: string, key: string, where: string): Promise<RunImportRecord['metrics'][string]> {
    const points: RunImportRecord['metrics'][string] = [];
    for await (const m of pages(rest, 'GET', `${API}/metrics/get-history`, { run_id: runId, metric_key: key, max_results: HISTORY_PAGE }, 'metrics')) {
      const at = `${where} metric '${key}'`;
      points.push({
        value: need(at, 'metric', 'value', double(m.value), m.value),
        timestamp: need(at, 'metric', 'timestamp', int(m.timestamp ?? 0), m.timestamp),
        step: need(at, 'metric', 'step', int(m.step ?? 0), m.step),
      });
    }
    return points;
  }

  /** Every artifact file of a run (path → size; -1 when the server does not say). */
  async function listArtifacts(runId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const walk = async (path?: string) => {
      for await (const f of pages(rest, 'GET', `${API}/artifacts/list`, { run_id: runId, ...(path ? { path } : {}) }, 'files')) {
        const p = str(f.path);
        if (!p) continue;
        if (f.is_dir === true) await walk(p);
        else out.set(p, int(f.file_size) ?? -1);
      }
    };
    await walk();
    return out;
  }

  /** Where a file of the run downloads from: the artifact proxy when the run's root is proxied. */
  function fileUrl(runId: string, artifactUri: string, path: string): string {
    const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');
    if (artifactUri.startsWith('mlflow-artifacts:')) {
      // mlflow-artifacts:/<exp>/<run>/artifacts, or mlflow-artifacts://host:port/<exp>/<run>/artifacts
      const rest = artifactUri.slice('mlflow-artifacts:'.length);
      const root = decodeURIComponent(rest.startsWith('//') ? new URL(`http:${rest}`).pathname : rest).replace(/^\/+|\/+$/g, '');
      return `${PROXY}/${enc(root ? `${root}/${path}` : path)}`;
    }
    return `/get-artifact?${new URLSearchParams({ run_uuid: runId, path })}`;
  }

  /** The run's artifacts in a temporary folder; null when there are none, or none that are new here. */
  async function fetchArtifacts(runId: string, artifactUri: string, where: string, here: RunHere, warnings: string[]): Promise<string | null> {
    let files: Map<string, number>;
    try {
      files = await listArtifacts(runId);
    } catch (err) {
      if (!(err instanceof SourceRequestError)) throw err;
      warnings.push(`${where}: the artifacts could not be listed (${err.message}); the run was imported without them (import again to add them)`);
      return null;
    }
    if (files.size === 0) return null;
    // artifacts are written once: when every file is here with its size, there is nothing to fetch
    const have = here.artifacts(runId);
    if (have && [...files].every(([p, size]) => have.get(p) === size)) return null;
    const dir = join(tmp, runId);
    try {
      for (const [path, size] of files) {
        const got = await rest.download(fileUrl(runId, artifactUri, path), join(dir, ...path.split('/')));
        if (size >= 0 && got !== size) throw new SourceRequestError(fileUrl(runId, artifactUri, path), 200, `${path}: the server listed ${size} bytes and sent ${got}`);
      }
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (!(err instanceof SourceRequestError)) throw err;
      warnings.push(`${where}: the artifacts could not be downloaded (${err.message}); the run was imported without them (import again to add them)`);
      return null;
    }
    return dir;
  }

  async function readRun(exp: SourceExperiment, run: SourceRun, here: RunHere): Promise<ReadRun> {
    const raw = found.get(run.run_id);
    found.delete(run.run_id);
    if (!raw) throw new BadSourceError(run.where, 'the run was not in the search results');
    const where = run.where;
    const info = (raw.info ?? {}) as Json;
    const data = (raw.data ?? {}) as Json;
    const what = 'run';
    const tags = keyValues(where, 'tag', data.tags);
    const params = keyValues(where, 'param', data.params);
    const expId = need(where, what, 'experiment_id', str(info.experiment_id), info.experiment_id);
    if (expId !== exp.experiment_id) throw new BadSourceError(where, `experiment_id is '${expId}' but the run was listed in experiment ${exp.experiment_id}`);
    const status = str(info.status);
    const endTime = info.end_time === undefined || info.end_time === null ? null : need(where, what, 'end_time', int(info.end_time), info.end_time);
    const record: RunImportRecord = {
      info: {
        run_id: run.run_id,
        run_name: str(info.run_name) ?? tags['mlflow.runName'] ?? '',
        experiment_id: expId,
        user_id: str(info.user_id) ?? '',
        status: need(where, what, 'status', status && STATUSES.has(status) ? (status as RunImportRecord['info']['status']) : undefined, info.status),
        start_time: int(info.start_time) ?? 0,
        end_time: endTime,
        lifecycle_stage: need(where, what, 'lifecycle_stage', info.lifecycle_stage === 'deleted' ? 'deleted' : info.lifecycle_stage === 'active' ? 'active' : undefined, info.lifecycle_stage),
      },
      params,
      tags,
      metrics: {},
      artifactsDir: null,
    };
    for (const key of new Set(list(data.metrics).map((m) => str(m.key)).filter((k): k is string => k !== undefined))) {
      record.metrics[key] = await history(run.run_id, key, where);
    }
    const warnings: string[] = [];
    record.artifactsDir = await fetchArtifacts(run.run_id, str(info.artifact_uri) ?? '', where, here, warnings);
    const dir = record.artifactsDir;
    return { record, warnings, release: dir ? () => rm(dir, { recursive: true, force: true }) : undefined };
  }

  async function models(): Promise<Item<SourceModel>[]> {
    const out: Item<SourceModel>[] = [];
    const names: string[] = [];
    try {
      for await (const m of pages(rest, 'GET', `${API}/registered-models/search`, { max_results: PAGE }, 'registered_models')) {
        const name = str(m.name);
        if (name) names.push(name);
      }
    } catch (error) {
      // a server without a model registry (or refusing this call): the runs are in, say what is not
      if (error instanceof SourceRequestError) return [{ where: `${base}/#/models`, error }];
      throw error;
    }
    for (const name of names) {
      const where = `${base}/#/models/${encodeURIComponent(name)}`;
      try {
        out.push({ where, value: await model(name, where) });
      } catch (error) {
        if (error instanceof SourceUnreachableError) throw error;
        out.push({ where, error });
      }
    }
    return out;
  }

  async function model(name: string, where: string): Promise<SourceModel> {
    const m = ((await rest.json('GET', `${API}/registered-models/get`, { name })).registered_model ?? {}) as Json;
    const versions: SourceVersion[] = [];
    const quoted = name.includes("'") ? `"${name}"` : `'${name}'`;
    for await (const v of pages(rest, 'GET', `${API}/model-versions/search`, { filter: `name=${quoted}`, max_results: 10_000 }, 'model_versions')) {
      if (str(v.name) !== name) continue;
      const vwhere = `${where}/versions/${str(v.version) ?? '?'}`;
      const n = int(v.version);
      if (n === undefined || n < 1) throw new BadSourceError(vwhere, `version field 'version' is invalid (${JSON.stringify(v.version)})`);
      const created = int(v.creation_timestamp) ?? 0;
      const stage = str(v.current_stage) ?? 'None';
      versions.push({
        where: vwhere,
        version: n,
        run_id: str(v.run_id) || null,
        source: str(v.source) ?? '',
        description: str(v.description) ?? '',
        tags: keyValues(vwhere, 'tag', v.tags),
        current_stage: stage,
        user_id: str(v.user_id) ?? '',
        creation_timestamp: created,
        last_updated_timestamp: int(v.last_updated_timestamp) ?? created,
        deleted: stage === 'Deleted_Internal',
      });
    }
    versions.sort((a, b) => a.version - b.version);
    const created = int(m.creation_timestamp) ?? 0;
    const aliases: Record<string, string> = {};
    for (const a of list(m.aliases)) if (str(a.alias) && str(a.version)) aliases[str(a.alias)!] = str(a.version)!;
    return {
      where,
      name,
      description: str(m.description) ?? '',
      creation_timestamp: created,
      last_updated_timestamp: int(m.last_updated_timestamp) ?? created,
      tags: keyValues(where, 'tag', m.tags),
      aliases,
      versions,
    };
  }

  return {
    location: base,
    readAhead: options.readAhead ?? 8,
    experiments,
    runs,
    readRun,
    models,
    close: () => rm(tmp, { recursive: true, force: true }),
  };
}
