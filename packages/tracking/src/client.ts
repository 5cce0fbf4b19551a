import { readdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { streamBlobFromStream } from '@git-ml/gitstore';
import { cleanArtifactPath, downloadArtifactTree, listArtifactTree, storeDirectory, type FileInfo } from './artifacts.js';
import { AmbiguousRunIdError, InvalidParameterError, NotFoundError } from './errors.js';
import { storeArtifactFile } from './lfs-artifacts.js';
import { newRunId, newRunName } from './ids.js';
import { assertRecordMatchesRef } from './index/record-identity.js';
import { RunIndex } from './index/run-index.js';
import type { Experiment, LifecycleStage, Metric, Run, RunStatus } from './model.js';
import { resolveRepo } from './repo-location.js';
import { searchRunsInMemory, searchRunWindowInMemory, type RunWindow, type RunWindowOptions } from './search/index.js';
import { searchExperiments as searchExperimentList } from './search/search-experiments.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './search/page-token.js';
import { SourceContext, snapshotWarning } from './source-tags.js';
import { osUser } from './store/identity.js';
import { readMetricColumns, readMetricHistoryOnly } from './store/run-reader.js';
import type { MetricColumns } from './store/metric-lines.js';
import { metricEntry, type Entry } from './store/run-state.js';
import { toRun } from './store/to-run.js';
import { DEFAULT_EXPERIMENT_ID } from './store/refs-layout.js';
import { TrackingStore } from './store/tracking-store.js';
import { registerStore } from './client-internals.js';
import { migrateRuns, type MigrateResult } from './store/migrate.js';
import { entriesToUpdate, metricJson, type RunImportRecord, type RunImportResult } from './import-run.js';
import { LIMITS, validateBatchLimits, validateExperimentName, validateInteger, validateKey, validateMetricValue, validateParamValue, validateRunId, validateStatus, validateTagValue } from './validate.js';

/** git's empty tree: an artifacts folder without files */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
/** entries per journal write when importing a long history */
const IMPORT_CHUNK = 10_000;

/** The fewest characters of a run id that `resolveRunId` takes as a prefix (git takes 4 for hashes). */
export const RUN_ID_PREFIX_MIN = 4;

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** The run tag that holds a run's dataset inputs (MLflow's `log_inputs`), as a JSON list. */
export const INPUTS_TAG = 'git-ml.inputs';

/** One dataset input of a run, in MLflow's `DatasetInput` JSON shape. */
export interface DatasetInput {
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
  tags: { key: string; value: string }[];
}

export interface MlClientOptions {
  /** a directory inside the repository; default: GIT_ML_REPO, MLFLOW_TRACKING_URI, then the current directory */
  repo?: string;
}

export interface CreateRunOptions {
  runName?: string;
  tags?: Record<string, string>;
  startTime?: number;
  /** record the working tree as the run's source commit and set mlflow.source.* tags (default true) */
  recordSource?: boolean;
  /** mlflow.source.type, default LOCAL */
  sourceType?: string;
  /** mlflow.source.name, default the running script relative to the work tree */
  sourceName?: string;
  /** end the run as KILLED if this process dies without ending it (default true) */
  ownedByProcess?: boolean;
  /** the run's `user_id` and default `mlflow.user` tag (default: the OS user); a tracking server passes its client's */
  userId?: string;
}

export interface SearchRunsOptions {
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  runViewType?: ViewType;
}

function toMap(x: Record<string, unknown> | { key: string; value: unknown }[] | undefined): [string, unknown][] {
  if (!x) return [];
  return Array.isArray(x) ? x.map((e) => [e.key, e.value]) : Object.entries(x);
}

/**
 * `MLFLOW_TRACKING_URI=http(s)://…` names a tracking server; the SDK and CLI work on a repository
 * directly (the current directory's, then). When there is no repository here, say that instead of
 * telling the user to set the variable they already set.
 */
function explainRemoteTrackingUri(err: unknown, explicit: string | undefined): unknown {
  const uri = process.env.MLFLOW_TRACKING_URI ?? '';
  if ((err as { code?: string }).code !== 'NOT_A_GIT_REPOSITORY' || explicit || process.env.GIT_ML_REPO || !/^https?:\/\//i.test(uri)) return err;
  return new InvalidParameterError(
    `MLFLOW_TRACKING_URI is ${uri}, a tracking server, and ${process.cwd()} is not inside a git repository. The git-ml CLI and SDK read and write a git repository directly, not through a server: run this inside the repository that \`git-ml server --repo DIR\` serves, or pass --repo DIR (or set GIT_ML_REPO). Python code keeps using the server's URL.`,
    { tracking_uri: uri },
  );
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Two param strings that spell the same finite number (`1.0` and `1`, `1e-3` and `0.001`). */
function sameNumber(a: string, b: string): boolean {
  return NUMBER.test(a.trim()) && NUMBER.test(b.trim()) && Number(a) === Number(b);
}

function viewMatches(stage: LifecycleStage, view: ViewType): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

/** Options of logArtifact, logArtifacts and downloadArtifacts. */
export interface ArtifactTransferOptions {
  /** called with the size of each chunk of file content as it is stored or written (for a progress bar) */
  onBytes?: (n: number) => void;
}

/**
 * MLflow's `MlflowClient`, on git: every method of the same name in camelCase, results in MLflow's
 * JSON shapes. Logging calls are synchronous and durable when they return (a journal line under
 * `.git/ml/`); changes are folded into commits on `refs/ml/runs/…` soon after, when a run ends,
 * on `flush()`/`close()`, and at process exit.
 *
 * ```ts
 * const client = new MlClient({ repo: '.' });
 * const run = client.createRun(client.getExperimentByName('Default')!.experiment_id);
 * client.logMetric(run.info.run_id, 'loss', 0.25, { step: 1 });
 * client.setTerminated(run.info.run_id);
 * client.close();
 * ```
 */
export class MlClient {
  /** the engine; siblings reach it through `@git-ml/tracking/internal` (storeOf, gitOf) */
  private readonly store: TrackingStore;
  private index: RunIndex;
  private sourceContext: SourceContext;

  constructor(options: MlClientOptions = {}) {
    try {
      this.store = new TrackingStore(resolveRepo(options.repo));
    } catch (err) {
      throw explainRemoteTrackingUri(err, options.repo);
    }
    registerStore(this, this.store);
    this.index = new RunIndex(this.store.git, () => this.store.readJournals());
    this.sourceContext = new SourceContext(this.store.git);
  }

  /** The repository's working tree (or git dir when bare). */
  get repoPath(): string {
    return this.store.git.workTree ?? this.store.git.gitDir;
  }

  // ---- experiments

  createExperiment(name: string, options: { artifactLocation?: string; tags?: Record<string, string> } = {}): string {
    return this.store.experiments.create(name, options);
  }

  getExperiment(experimentId: string): Experiment {
    return this.store.experiments.mustGet(experimentId);
  }

  /** The experiment with this name, or null (as MLflow returns None). */
  getExperimentByName(name: string): Experiment | null {
    return this.store.experiments.byName(name);
  }

  searchExperiments(options: { viewType?: ViewType; filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {}): Experiment[] {
    return this.searchExperimentsPage(options).experiments;
  }

  /** MLflow's search_experiments with paging: filter (name, tags.<key>, creation_time, last_update_time; AND), order_by, page_token. */
  searchExperimentsPage(options: { viewType?: ViewType; filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {}): { experiments: Experiment[]; nextPageToken?: string } {
    const view = options.viewType ?? 'ACTIVE_ONLY';
    const all = this.store.experiments.list().filter((e) => viewMatches(e.lifecycle_stage, view));
    const page = searchExperimentList(all, { filter: options.filter, orderBy: options.orderBy, maxResults: options.maxResults ?? LIMITS.maxResultsDefault, pageToken: options.pageToken });
    return page.next ? { experiments: page.experiments, nextPageToken: page.next } : { experiments: page.experiments };
  }

  renameExperiment(experimentId: string, newName: string): void {
    validateExperimentName(newName);
    const clash = this.store.experiments.byName(newName);
    if (clash && clash.experiment_id !== experimentId) throw new InvalidParameterError(`Experiment '${newName}' already exists.`, { field: 'new_name' });
    this.store.experiments.update(experimentId, (e) => ({ ...e, name: newName }), `rename experiment to ${newName}`);
  }

  deleteExperiment(experimentId: string): void {
    if (experimentId === DEFAULT_EXPERIMENT_ID) {
      throw new InvalidParameterError(`The default experiment (id '${DEFAULT_EXPERIMENT_ID}') cannot be deleted; it holds runs started without an experiment.`, { experiment_id: experimentId });
    }
    this.store.experiments.update(experimentId, (e) => ({ ...e, lifecycle_stage: 'deleted' }), 'delete experiment');
  }

  restoreExperiment(experimentId: string): void {
    this.store.experiments.update(experimentId, (e) => ({ ...e, lifecycle_stage: 'active' }), 'restore experiment');
  }

  setExperimentTag(experimentId: string, key: string, value: string): void {
    validateKey('tag', key);
    const v = validateTagValue(key, value);
    this.store.experiments.update(experimentId, (e) => ({ ...e, tags: [...e.tags.filter((t) => t.key !== key), { key, value: v }] }), `set experiment tag ${key}`);
  }

  // ---- runs

  /** Creates a run (status RUNNING) and returns it in MLflow's shape. */
  createRun(experimentId: string, options: CreateRunOptions = {}): Run {
    const exp = this.getExperiment(experimentId);
    if (exp.lifecycle_stage === 'deleted') throw new InvalidParameterError(`Experiment '${exp.name}' is deleted; restore it before creating runs in it.`, { experiment_id: experimentId });
    const tags: Record<string, string> = {};
    for (const [k, v] of toMap(options.tags)) tags[validateKey('tag', k)] = validateTagValue(k, v);
    const runName = options.runName ?? tags['mlflow.runName'] ?? newRunName();
    validateTagValue('mlflow.runName', runName);
    const startTime = options.startTime ?? Date.now();
    const captured = options.recordSource === false ? null : this.sourceContext.source();
    const source = captured?.source ?? null;
    const system = captured ? this.sourceContext.tags(captured, options.sourceType, options.sourceName) : {};
    const user = options.userId ?? osUser();
    const allTags = { 'mlflow.user': user, ...system, ...tags, 'mlflow.runName': runName };
    const runId = newRunId(startTime);
    const state = this.store.createRun(
      {
        op: 'create',
        info: { run_id: runId, run_name: runName, experiment_id: experimentId, user_id: user, status: 'RUNNING', start_time: startTime, end_time: null, lifecycle_stage: 'active' },
        source,
        tags: allTags,
      },
      options.ownedByProcess !== false,
      exp,
    );
    const warning = captured?.fresh ? snapshotWarning(captured.snapshot) : null;
    if (warning) process.stderr.write(`${warning}\n`);
    return toRun(state, this.store.runRefOf(runId));
  }

  getRun(runId: string): Run {
    validateRunId(runId);
    const v = this.store.readRun(runId);
    assertRecordMatchesRef(v.ref, v.state!.info);
    return toRun(v.state!, v.ref);
  }

  /**
   * The full id of the run that `idOrPrefix` names, the way git accepts abbreviated hashes: an id
   * that names a run is returned as it is; otherwise it is taken as a prefix of at least
   * {@link RUN_ID_PREFIX_MIN} characters that exactly one run's id starts with. Throws
   * `NotFoundError` when no run matches and `AmbiguousRunIdError` (listing the candidates) when
   * several do.
   *
   * ```ts
   * client.getRun(client.resolveRunId('01a2b3c4'));
   * ```
   */
  resolveRunId(idOrPrefix: string): string {
    validateRunId(idOrPrefix);
    try {
      this.store.runRefOf(idOrPrefix);
      return idOrPrefix;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      if (idOrPrefix.length < RUN_ID_PREFIX_MIN) {
        throw new NotFoundError(`Run '${idOrPrefix}' not found. A shortened run id needs at least ${RUN_ID_PREFIX_MIN} characters; list runs with \`git-ml runs list\`.`, { run_id: idOrPrefix });
      }
      const candidates = this.store.runIdsStartingWith(idOrPrefix);
      if (candidates.length === 1) return candidates[0];
      if (candidates.length > 1) throw new AmbiguousRunIdError(idOrPrefix, candidates);
      throw err;
    }
  }

  /**
   * For each of `runIds`, its shortest prefix of at least `minLength` characters that no other
   * run in the repository starts with (what `resolveRunId` accepts), for tables that lack room.
   */
  abbreviateRunIds(runIds: readonly string[], minLength = 8): Map<string, string> {
    // the run index is fresh after a search, so this reads no ref and no record
    const all = this.index.runIds();
    const out = new Map<string, string>();
    const common = (a: string, b: string | undefined) => {
      if (b === undefined || b === a) return 0;
      let n = 0;
      while (n < a.length && n < b.length && a[n] === b[n]) n++;
      return n;
    };
    for (const id of runIds) {
      // `all` is sorted, so the ids sharing the longest prefix with `id` sit right around it
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (all[mid] < id) lo = mid + 1;
        else hi = mid;
      }
      const need = Math.max(minLength, common(id, all[lo - 1]) + 1, common(id, all[lo]) + 1, common(id, all[lo + 1]) + 1);
      out.set(id, id.slice(0, Math.min(need, id.length)));
    }
    return out;
  }

  updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): void {
    const e: Entry = { op: 'u' };
    if (update.status !== undefined) e.status = validateStatus(update.status);
    if (update.endTime !== undefined) e.end_time = validateInteger('end_time', update.endTime);
    if (update.runName !== undefined) e.run_name = validateTagValue('mlflow.runName', update.runName);
    this.store.append(validateRunId(runId), [e]);
  }

  /** Ends a run with a status (default FINISHED). */
  setTerminated(runId: string, status: RunStatus = 'FINISHED', endTime = Date.now()): void {
    this.updateRun(runId, { status, endTime });
  }

  deleteRun(runId: string): void {
    this.store.append(validateRunId(runId), [{ op: 'u', lifecycle_stage: 'deleted' }]);
  }

  restoreRun(runId: string): void {
    this.store.append(validateRunId(runId), [{ op: 'u', lifecycle_stage: 'active' }]);
  }

  // ---- params, metrics, tags

  private paramEntry(runId: string, key: string, value: unknown, pending: Map<string, string>): Entry | null {
    validateKey('param', key);
    const v = validateParamValue(key, value);
    const old = this.store.writable(runId).state.params.get(key) ?? pending.get(key);
    // the same number written two ways ('1.0' by Python or an MLproject, 1 from JavaScript) is the
    // same value: the first spelling is kept and nothing is logged
    if (old !== undefined && old !== v && sameNumber(old, v)) return null;
    if (old !== undefined && old !== v) {
      throw new InvalidParameterError(
        `Param '${key}' of run ${runId} is already '${old}'; params are write-once, so '${v}' was not logged. Log it under another key or start a new run.`,
        { key, old_value: old, new_value: v },
      );
    }
    pending.set(key, v);
    return old === v ? null : { op: 'p', k: key, v };
  }

  logParam(runId: string, key: string, value: unknown): void {
    const e = this.paramEntry(validateRunId(runId), key, value, new Map());
    if (e) this.store.append(runId, [e]);
  }

  /** Appends one metric point; NaN and ±Infinity are legal values. */
  logMetric(runId: string, key: string, value: number, options: { step?: number; timestamp?: number } = {}): void {
    validateRunId(runId);
    validateKey('metric', key);
    const v = validateMetricValue(key, value);
    const t = options.timestamp === undefined ? Date.now() : validateInteger('timestamp', options.timestamp);
    const s = options.step === undefined ? 0 : validateInteger('step', options.step);
    this.store.appendRaw(runId, metricEntry(runId, key, v, t, s), { op: 'm', k: key, v, t, s });
  }

  setTag(runId: string, key: string, value: unknown): void {
    validateKey('tag', key);
    this.store.append(validateRunId(runId), [{ op: 't', k: key, v: validateTagValue(key, value) }]);
  }

  deleteTag(runId: string, key: string): void {
    const state = this.store.writable(validateRunId(runId)).state;
    if (!state.tags.has(key)) throw new NotFoundError(`Run ${runId} has no tag '${key}'.`, { run_id: runId, key });
    this.store.append(runId, [{ op: 'dt', k: key }]);
  }

  /**
   * MLflow's `log_inputs`: records datasets the run used (name, digest, source, schema, profile and
   * input tags such as `mlflow.data.context`). They are kept in the run record as the JSON list of
   * the `git-ml.inputs` tag; logging a dataset with the same name and digest again replaces its entry.
   */
  logInputs(runId: string, datasets: DatasetInput[]): void {
    validateRunId(runId);
    const current = this.getRunInputs(runId);
    for (const d of datasets) {
      const ds = d?.dataset;
      for (const f of ['name', 'digest', 'source_type', 'source'] as const) {
        if (typeof ds?.[f] !== 'string' || ds[f] === '') throw new InvalidParameterError(`Each dataset input needs dataset.${f} (a non-empty string).`, { field: `dataset.${f}` });
      }
      const tags = (d.tags ?? []).map((t) => ({ key: validateKey('tag', t.key), value: validateTagValue(t.key, t.value) }));
      const entry: DatasetInput = { dataset: { ...ds }, tags };
      const at = current.findIndex((c) => c.dataset.name === ds.name && c.dataset.digest === ds.digest);
      if (at >= 0) current[at] = entry;
      else current.push(entry);
    }
    this.store.append(runId, [{ op: 't', k: INPUTS_TAG, v: JSON.stringify(current) }]);
  }

  /** The dataset inputs logged with `logInputs`, in logging order. */
  getRunInputs(runId: string): DatasetInput[] {
    const tag = this.getRun(runId).data.tags.find((t) => t.key === INPUTS_TAG);
    if (!tag) return [];
    try {
      const list = JSON.parse(tag.value) as unknown;
      return Array.isArray(list) ? (list as DatasetInput[]) : [];
    } catch {
      return [];
    }
  }

  /** Logs metrics, params and tags in one durable write, with MLflow's limits (1000 metrics, 100 params, 100 tags). */
  logBatch(
    runId: string,
    batch: {
      metrics?: { key: string; value: number; timestamp?: number; step?: number }[];
      params?: { key: string; value: unknown }[] | Record<string, unknown>;
      tags?: { key: string; value: unknown }[] | Record<string, unknown>;
    },
  ): void {
    validateRunId(runId);
    const params = toMap(batch.params);
    const tags = toMap(batch.tags);
    const metrics = batch.metrics ?? [];
    validateBatchLimits(metrics.length, params.length, tags.length);
    const entries: Entry[] = [];
    const pending = new Map<string, string>();
    for (const [k, v] of params) {
      const e = this.paramEntry(runId, k, v, pending);
      if (e) entries.push(e);
    }
    const now = Date.now();
    for (const m of metrics) {
      validateKey('metric', m.key);
      entries.push({
        op: 'm',
        k: m.key,
        v: validateMetricValue(m.key, m.value),
        t: m.timestamp === undefined ? now : validateInteger('timestamp', m.timestamp),
        s: m.step === undefined ? 0 : validateInteger('step', m.step),
      });
    }
    for (const [k, v] of tags) {
      validateKey('tag', k);
      entries.push({ op: 't', k, v: validateTagValue(k, v) });
    }
    const json = entries.map((e) => (e.op === 'm' ? { ...e, v: Number.isFinite(e.v as number) ? e.v : Number.isNaN(e.v as number) ? 'nan' : (e.v as number) > 0 ? 'inf' : '-inf' } : e));
    this.store.append(runId, json as Entry[]);
  }

  /** Every point of one metric, in logging order. */
  getMetricHistory(runId: string, key: string): Metric[] {
    const ref = this.store.runRefOf(validateRunId(runId));
    return readMetricHistoryOnly(this.store.git, ref, runId, key, this.store.journals);
  }

  /**
   * Every point of one metric as three number columns (step, timestamp, value), in logging order:
   * for long histories read often, such as charts — no object per point, and committed chunks are
   * parsed once per process.
   */
  getMetricColumns(runId: string, key: string): MetricColumns {
    const ref = this.store.runRefOf(validateRunId(runId));
    return readMetricColumns(this.store.git, ref, runId, key, this.store.journals);
  }

  /** One page of a metric's history (MLflow's REST paging: at most 25 000 points a page). */
  getMetricHistoryPage(runId: string, key: string, options: { maxResults?: number; pageToken?: string } = {}): { metrics: Metric[]; nextPageToken?: string } {
    const max = options.maxResults ?? LIMITS.metricHistoryPage;
    if (!Number.isInteger(max) || max < 1 || max > LIMITS.metricHistoryPage) {
      throw new InvalidParameterError(`max_results must be between 1 and ${LIMITS.metricHistoryPage}, got ${max}.`, { field: 'max_results' });
    }
    const fingerprint = queryFingerprint('', [], 'metric_history', runId, key);
    const start = decodePageToken(options.pageToken ?? '', fingerprint);
    const all = this.getMetricHistory(runId, key);
    const metrics = all.slice(start, start + max);
    const next = start + max < all.length ? encodePageToken(start + max, fingerprint) : undefined;
    return next ? { metrics, nextPageToken: next } : { metrics };
  }

  // ---- artifacts

  /** Logs one file (streamed, any size) under `artifactPath` in the run's artifacts. */
  async logArtifact(runId: string, localPath: string, artifactPath?: string, options: ArtifactTransferOptions = {}): Promise<void> {
    const dir = cleanArtifactPath(artifactPath);
    const st = statSync(localPath, { throwIfNoEntry: false });
    if (!st?.isFile()) throw new InvalidParameterError(`Cannot log artifact ${localPath}: it is not a file. Use logArtifacts for a directory.`, { path: localPath });
    const path = dir ? `${dir}/${basename(localPath)}` : basename(localPath);
    const oid = await storeArtifactFile(this.store.git, localPath, path, options.onBytes);
    const mode = st.mode & 0o111 ? '100755' : '100644';
    this.store.append(validateRunId(runId), [{ op: 'a', path, oid, mode }]);
  }

  /**
   * Logs `size` bytes from a stream (an HTTP upload, say) as the artifact file `artifactFile`, streamed
   * straight into a git blob — never held in memory, no temporary copy. A stream that ends with another
   * number of bytes is refused (`SIZE_MISMATCH`) and nothing is logged.
   */
  async logArtifactStream(runId: string, source: Readable, size: number, artifactFile: string): Promise<void> {
    validateRunId(runId);
    const path = cleanArtifactPath(artifactFile, 'artifact_file');
    if (!path) throw new InvalidParameterError('artifact_file must name a file.', { field: 'artifact_file' });
    if (!Number.isSafeInteger(size) || size < 0) throw new InvalidParameterError(`Invalid size ${size}: a number of bytes.`, { field: 'size' });
    const oid = await streamBlobFromStream(this.store.git.objects, source, size);
    this.store.append(runId, [{ op: 'a', path, oid, mode: '100644' }]);
  }

  /** Logs every file of a directory (recursively) under `artifactPath`. */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string, options: ArtifactTransferOptions = {}): Promise<void> {
    const dir = cleanArtifactPath(artifactPath);
    if (!statSync(localDir, { throwIfNoEntry: false })?.isDirectory()) throw new InvalidParameterError(`Cannot log artifacts from ${localDir}: it is not a directory.`, { path: localDir });
    const tree = await storeDirectory(this.store.git, localDir, options.onBytes);
    this.store.append(validateRunId(runId), [{ op: 'a', path: dir, oid: tree, mode: '40000' }]);
  }

  /** Logs text as an artifact file. */
  logText(runId: string, text: string, artifactFile: string): void {
    const path = cleanArtifactPath(artifactFile, 'artifact_file');
    if (!path) throw new InvalidParameterError('artifact_file must name a file.', { field: 'artifact_file' });
    const oid = this.store.git.objects.write('blob', Buffer.from(text, 'utf8'));
    this.store.append(validateRunId(runId), [{ op: 'a', path, oid, mode: '100644' }]);
  }

  listArtifacts(runId: string, path?: string): FileInfo[] {
    const tree = this.artifactsTree(runId);
    return listArtifactTree(this.store.git, tree, cleanArtifactPath(path, 'path'));
  }

  /** Downloads a file or directory of the run's artifacts into `dstPath`; returns the local path. */
  async downloadArtifacts(runId: string, path: string, dstPath: string, options: ArtifactTransferOptions = {}): Promise<string> {
    const tree = this.artifactsTree(runId);
    return downloadArtifactTree(this.store.git, tree, cleanArtifactPath(path, 'path'), dstPath, runId, options.onBytes);
  }

  /**
   * The run's current commit — pending lines folded first — with its ref and the tree of its
   * artifacts. The registry tags this commit when a model version is created from the run.
   */
  runCommit(runId: string): { ref: string; commit: string; artifactsTree: string | null } {
    validateRunId(runId);
    this.store.flush([runId]);
    const view = this.store.readRun(runId);
    return { ref: view.ref, commit: view.head!, artifactsTree: view.state!.artifactsTree };
  }

  private artifactsTree(runId: string): string | null {
    validateRunId(runId);
    this.store.flush([runId]);
    return this.store.readRun(runId).state!.artifactsTree;
  }

  // ---- import (internal entry point for `git-ml import`; not part of MlflowClient's API)

  /**
   * **For importers only**: creates an experiment recorded by another tracking store under ITS id,
   * with its times, stage and tags (the id must be free here; `createExperiment` derives ids from
   * names). Returns the new experiment.
   */
  importExperiment(exp: Omit<Experiment, 'artifact_location'>): Experiment {
    if (typeof exp.experiment_id !== 'string' || !/^[\w-]{1,64}$/.test(exp.experiment_id)) {
      throw new InvalidParameterError(`Cannot import experiment id ${JSON.stringify(exp.experiment_id)}: letters, digits, '_' and '-' only, at most 64.`, { field: 'experiment_id' });
    }
    const tags: Record<string, string> = {};
    for (const t of exp.tags) tags[validateKey('tag', t.key)] = validateTagValue(t.key, t.value);
    validateInteger('creation_time', exp.creation_time);
    validateInteger('last_update_time', exp.last_update_time);
    const id = this.store.experiments.create(exp.name, {
      tags,
      imported: { experiment_id: exp.experiment_id, creation_time: exp.creation_time, last_update_time: exp.last_update_time, lifecycle_stage: exp.lifecycle_stage },
    });
    return this.getExperiment(id);
  }

  /**
   * **For importers only** (`git-ml import`, docs/migrate.md): writes a run recorded by another
   * tracking store under ITS run id, with its times, user, status, lifecycle stage, every tag as
   * given (no system tags are added, no source commit is recorded) and full metric histories. If
   * the run already exists, only what it lacks is added (new params, new or changed tags, missing
   * metric points, changed status/end time/stage, artifacts), so importing again never duplicates
   * anything and an import cut off part way resumes. Everything is validated before anything is
   * written. Use `createRun` for new runs.
   */
  async importRun(record: RunImportRecord): Promise<RunImportResult> {
    const { info } = record;
    if (typeof info.run_id !== 'string' || !/^[0-9a-f]{32}$/.test(info.run_id)) {
      throw new InvalidParameterError(`Cannot import run id ${JSON.stringify(info.run_id)}: run ids must be 32 lowercase hexadecimal characters.`, { field: 'run_id' });
    }
    validateStatus(info.status);
    if (info.lifecycle_stage !== 'active' && info.lifecycle_stage !== 'deleted') {
      throw new InvalidParameterError(`Invalid lifecycle_stage '${String(info.lifecycle_stage)}' of run ${info.run_id}: active or deleted.`, { field: 'lifecycle_stage' });
    }
    validateInteger('start_time', info.start_time);
    if (info.end_time !== null) validateInteger('end_time', info.end_time);
    validateTagValue('mlflow.runName', info.run_name);
    for (const [k, v] of Object.entries(record.params)) validateParamValue(validateKey('param', k), v);
    for (const [k, v] of Object.entries(record.tags)) validateTagValue(validateKey('tag', k), v);
    for (const [k, points] of Object.entries(record.metrics)) {
      validateKey('metric', k);
      for (const p of points) {
        validateMetricValue(k, p.value);
        validateInteger('timestamp', p.timestamp);
        validateInteger('step', p.step);
      }
    }
    this.getExperiment(info.experiment_id);
    const result: RunImportResult = { outcome: 'unchanged', params: 0, tags: 0, metricPoints: 0, artifacts: false, conflicts: [] };
    const artifactsTree = record.artifactsDir === null || readdirSync(record.artifactsDir).length === 0 ? null : await storeDirectory(this.store.git, record.artifactsDir);
    let entries: Entry[];
    let existing: ReturnType<TrackingStore['readRun']> | null = null;
    try {
      existing = this.store.readRun(info.run_id);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (existing) {
      if (existing.state!.info.experiment_id !== info.experiment_id) {
        throw new InvalidParameterError(
          `Run ${info.run_id} already exists here in experiment ${existing.state!.info.experiment_id}, not ${info.experiment_id}; it was left as it is.`,
          { run_id: info.run_id, experiment_id: info.experiment_id },
        );
      }
      entries = entriesToUpdate(existing.state!, record, (k) => this.getMetricHistory(info.run_id, k), result);
      const adds = existing.state!.artifactAdds;
      const current = adds.length > 0 ? adds[adds.length - 1].oid : existing.state!.artifactsTree;
      if (artifactsTree && artifactsTree !== EMPTY_TREE && artifactsTree !== current) {
        entries.push({ op: 'a', path: '', oid: artifactsTree, mode: '40000' });
        result.artifacts = true;
      }
      if (entries.length > 0) result.outcome = 'updated';
    } else {
      this.store.createRun({ op: 'create', info: { ...info }, source: null, tags: { ...record.tags }, params: { ...record.params } }, false);
      result.outcome = 'created';
      result.params = Object.keys(record.params).length;
      result.tags = Object.keys(record.tags).length;
      entries = [];
      for (const [k, points] of Object.entries(record.metrics)) {
        for (const p of points) entries.push({ op: 'm', k, v: metricJson(p.value), t: p.timestamp, s: p.step });
        result.metricPoints += points.length;
      }
      if (artifactsTree && artifactsTree !== EMPTY_TREE) {
        entries.push({ op: 'a', path: '', oid: artifactsTree, mode: '40000' });
        result.artifacts = true;
      }
    }
    for (let i = 0; i < entries.length; i += IMPORT_CHUNK) this.store.append(info.run_id, entries.slice(i, i + IMPORT_CHUNK));
    return result;
  }

  // ---- search

  /** MLflow's search_runs: filter grammar (plus OR and parentheses), order_by, paging. */
  searchRuns(experimentIds: string | string[], filter = '', options: SearchRunsOptions = {}): { runs: Run[]; nextPageToken?: string } {
    const ids = new Set(Array.isArray(experimentIds) ? experimentIds : [experimentIds]);
    const view = options.runViewType ?? 'ACTIVE_ONLY';
    const runs = this.index.runs().filter((r) => ids.has(r.info.experiment_id) && viewMatches(r.info.lifecycle_stage, view));
    return searchRunsInMemory(runs, { filter, orderBy: options.orderBy, maxResults: options.maxResults, pageToken: options.pageToken });
  }

  /**
   * One window of a run search (offset, limit) with the total count, optionally grouping nested runs
   * under their parent — for views that scroll to any position, such as the web UI's runs table.
   * `statuses` keeps only runs in those states.
   */
  searchRunsWindow(experimentIds: string | string[], options: RunWindowOptions & { runViewType?: ViewType; statuses?: readonly RunStatus[] } = {}): RunWindow {
    const ids = new Set(Array.isArray(experimentIds) ? experimentIds : [experimentIds]);
    const view = options.runViewType ?? 'ACTIVE_ONLY';
    const statuses = options.statuses?.length ? new Set(options.statuses) : null;
    const runs = this.index.runs().filter((r) => ids.has(r.info.experiment_id) && viewMatches(r.info.lifecycle_stage, view) && (!statuses || statuses.has(r.info.status)));
    return searchRunWindowInMemory(runs, options);
  }

  /** Refs whose records could not be read during the last search, with the reason (the rest stay readable). */
  get unreadableRuns(): ReadonlyMap<string, string> {
    return this.index.problems;
  }

  /**
   * Converts every run recorded in an older run format into the current one (see docs/storage.md);
   * idempotent. `onProgress` is called after each batch.
   */
  migrate(onProgress?: (done: number, total: number) => void): MigrateResult {
    this.store.flush();
    return migrateRuns(this.store, onProgress);
  }

  /** Folds pending changes into commits now. */
  flush(): void {
    this.store.flush();
  }

  /** Folds everything and saves the index. Call when done (it also happens at process exit). */
  close(): void {
    this.store.close();
    this.index.save();
  }
}
