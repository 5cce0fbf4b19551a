import { RefConflictError } from '@git-ml/gitstore';
import {
  decodePageToken,
  encodePageToken,
  queryFingerprint,
  AlreadyExistsError,
  cleanArtifactPath,
  downloadArtifactTree,
  findArtifactEntry,
  InvalidParameterError,
  MlClient,
  NotFoundError,
} from '@git-ml/tracking';
import { registryFilter } from './filter.js';
import { historyOf } from './history.js';
import type { HistoryEvent, ModelVersion, RegisteredModel } from './model.js';
import { encodeModelName, parseVersion, recordRefOf, tagRefOf, validateAlias, validateModelName } from './names.js';
import { emptyState, type ModelState, type RegistryEvent } from './records.js';
import { RegistryIndex, type ModelSnapshot, type VersionEntry } from './registry-index.js';
import { RegistryStore } from './store.js';
import { parseModelUri } from './uri.js';
import { isLive, liveVersions, toModelVersion, toRegisteredModel } from './views.js';
import { gitOf } from '@git-ml/tracking/internal';

export interface RegistryClientOptions {
  /** the repository (default: as `MlClient` finds it) */
  repo?: string;
  /** share a tracking client (and its open journals) instead of opening one */
  tracking?: MlClient;
}

export interface SearchOptions {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

export interface CreateModelVersionOptions {
  description?: string;
  tags?: Record<string, string>;
  /**
   * Accept a source that does not name a file of the run, as MLflow's REST API does (a tracking
   * server passes what its clients send): with a run id, the version then tags the run's current
   * commit, with an empty artifact path, and records the source string as given.
   */
  anySource?: boolean;
  /**
   * **For importers only** (`git-ml import`): the number, user and creation time another registry
   * (MLflow) gave the version. The number must be free here; numbers below it may stay unused (a
   * version MLflow deleted), so `models:/name/N` means the same version in both.
   */
  imported?: { version: number; user_id: string; creation_timestamp: number };
}

/** The version tag `git-ml.stage` holds a version's stage (MLflow's deprecated stages; git-ml has aliases). */
export const STAGE_TAG = 'git-ml.stage';

/** MLflow's times of a model and its versions, for {@link RegistryClient.importModelTimes}. */
export interface ImportedTimes {
  creation_timestamp: number;
  last_updated_timestamp: number;
  /** version number → last-updated time */
  versions: Record<string, number>;
}

/** Where a model URI points: the run, the exact commit and the artifact path inside the run. */
export interface ResolvedModel {
  uri: string;
  name?: string;
  version?: string;
  alias?: string;
  run_id: string;
  commit: string;
  artifact_path: string;
  /** the version tag (`refs/tags/<name>@v<N>`) for registry URIs */
  tag?: string;
}

const MODEL_FIELDS = ['name'];
const VERSION_FIELDS = ['name', 'run_id', 'source', 'version'];

/**
 * MLflow's Model Registry on git, with MlflowClient's registry methods in camelCase. A version is an
 * annotated tag `<name>@v<N>` on the run commit holding the model; the model's record (description,
 * tags, aliases, later edits) is a commit chain on `refs/ml/registry/<name>` whose every commit
 * records one change, so `history()` can show who did what, when.
 */
export class RegistryClient {
  readonly tracking: MlClient;
  readonly store: RegistryStore;
  readonly index: RegistryIndex;
  private readonly ownsTracking: boolean;

  constructor(options: RegistryClientOptions = {}) {
    this.ownsTracking = !options.tracking;
    this.tracking = options.tracking ?? new MlClient({ repo: options.repo });
    this.store = new RegistryStore(gitOf(this.tracking));
    this.index = new RegistryIndex(this.store);
  }

  // ---- registered models

  createRegisteredModel(name: string, options: { description?: string; tags?: Record<string, string> } = {}): RegisteredModel {
    validateModelName(name);
    this.store.change(name, (cur) => {
      if (cur?.status === 'active') throw new AlreadyExistsError(`Registered model '${name}' already exists.`, { name });
      return { type: 'create', description: options.description ?? '', tags: stringMap(options.tags) };
    });
    return this.getRegisteredModel(name);
  }

  getRegisteredModel(name: string): RegisteredModel {
    return toRegisteredModel(this.snapshot(name));
  }

  searchRegisteredModels(options: SearchOptions = {}): { registered_models: RegisteredModel[]; nextPageToken?: string } {
    const filter = registryFilter(options.filter, 'registered models', MODEL_FIELDS);
    const models = this.index
      .models()
      .filter((m) => m.state?.status !== 'deleted' && m.state?.status !== 'renamed' && (m.state || liveVersions(m).length > 0))
      .map(toRegisteredModel)
      .filter((m) => filter.test((f) => (f === 'name' ? m.name : f.startsWith('tags.') ? m.tags.find((t) => t.key === f.slice(5))?.value : undefined)));
    sortBy(models, options.orderBy, ['name', 'creation_timestamp', 'last_updated_timestamp'], 'name ASC');
    const { page, next } = paginate(models, options, 'registered_models');
    return { registered_models: page, ...(next ? { nextPageToken: next } : {}) };
  }

  updateRegisteredModel(name: string, options: { description: string }): RegisteredModel {
    this.changeActive(name, () => ({ type: 'update', description: String(options.description ?? '') }));
    return this.getRegisteredModel(name);
  }

  setRegisteredModelTag(name: string, key: string, value: string): void {
    this.changeActive(name, () => ({ type: 'set_tag', key: tagKey(key), value: String(value) }));
  }

  deleteRegisteredModelTag(name: string, key: string): void {
    this.changeActive(name, (s) => {
      if (!(key in s.tags)) throw new NotFoundError(`Registered model '${name}' has no tag '${key}'.`, { name, key });
      return { type: 'delete_tag', key };
    });
  }

  /** Marks the model and its versions deleted; tags and records stay in git history. */
  deleteRegisteredModel(name: string): void {
    const versions = this.snapshot(name).versions.map((v) => v.record.version);
    this.changeActive(name, () => ({ type: 'delete', versions }));
  }

  /**
   * Renames a model: new version tags `<new>@v<N>` on the same commits, a record under the new name
   * that starts from the old one, and the old record marked renamed — in one ref transaction.
   */
  renameRegisteredModel(name: string, newName: string): RegisteredModel {
    validateModelName(newName, 'new_name');
    const snap = this.snapshot(name);
    if (this.index.model(encodeModelName(newName))?.state?.status === 'active' || this.store.state(newName)?.status === 'active') {
      throw new AlreadyExistsError(`Registered model '${newName}' already exists.`, { name: newName });
    }
    const state = this.store.state(name);
    this.store.change(
      name,
      () => ({ type: 'rename_to', name: newName }),
      (tx) => {
        const at = Date.now();
        const newState: ModelState = { ...(state ?? snap.state!), name: newName, status: 'active', renamed_from: name };
        const commit = this.store.writeRecordCommit(newState, { event: { type: 'rename_from', name, state: newState }, at, user: this.store.user }, []);
        tx.set(recordRefOf(newName), commit, this.store.recordHead(newName));
        for (const v of snap.versions) {
          const record = { ...v.record, name: newName, renamed_from: name };
          tx.set(tagRefOf(newName, v.record.version), this.store.writeVersionTag(record, v.commit), null);
        }
      },
    );
    return this.getRegisteredModel(newName);
  }

  // ---- versions

  /**
   * Registers the model at `source` — `runs:/<run_id>/<path>`, `models:/…`, or a path inside `runId`'s
   * artifacts — as the next version of `name` (created when missing). The path must exist in the run,
   * unless `anySource` is set (see {@link CreateModelVersionOptions}).
   */
  createModelVersion(name: string, source: string, runId?: string, options: CreateModelVersionOptions = {}): ModelVersion {
    validateModelName(name);
    const where = options.anySource ? this.locateAnySource(source, runId) : this.locateSource(source, runId);
    const tags = stringMap(options.tags);
    const existing = this.store.recordHead(name);
    const state = existing ? this.store.state(name) : null;
    // a possibly stale guess; probing the tag refs below finds the true next free number
    const known = this.index.peek(encodeModelName(name));
    const imported = options.imported;
    if (imported) validateImportedVersion(imported);
    let version = imported?.version ?? Math.max(0, ...(known?.versions.map((v) => v.record.version) ?? [])) + 1;
    const taken = () => new AlreadyExistsError(`Version ${version} of registered model '${name}' already exists here; it cannot be imported under that number.`, { name, version });
    for (let attempt = 0; ; attempt++) {
      if (imported && this.store.versionTagOid(name, version)) throw taken();
      while (this.store.versionTagOid(name, version)) version++;
      const now = Date.now();
      const record = {
        name,
        version,
        run_id: where.runId,
        artifact_path: where.path,
        source: where.source,
        description: options.description ?? '',
        tags,
        user_id: imported?.user_id ?? this.store.user,
        creation_timestamp: imported?.creation_timestamp ?? now,
      };
      const tag = this.store.writeVersionTag(record, where.commit);
      const updates = [{ ref: tagRefOf(name, version), expect: null as string | null, value: tag as string | null }];
      if (!existing || state?.status !== 'active') {
        const s = { name, status: 'active' as const, creation_timestamp: now, last_updated_timestamp: now, user_id: this.store.user, description: '', tags: {}, aliases: {}, versions: state?.versions ?? {} };
        const commit = this.store.writeRecordCommit(s, { event: { type: 'create', description: '', tags: {} }, at: now, user: this.store.user }, existing ? [existing] : []);
        updates.push({ ref: recordRefOf(name), expect: existing, value: commit });
      }
      try {
        this.store.git.refs.update(updates);
        const snap: ModelSnapshot = { encoded: encodeModelName(name), name, record: null, state: this.store.state(name), versions: [] };
        return toModelVersion(snap, { tag, commit: where.commit, record });
      } catch (err) {
        if (!(err instanceof RefConflictError) || attempt > 50) throw err;
        if (err.data.ref === recordRefOf(name)) return this.createModelVersion(name, source, runId, options);
        if (imported) throw taken();
      }
    }
  }

  /**
   * **For importers only** (`git-ml import`): gives the model and its versions the creation and
   * last-updated times another registry recorded, in one record commit (its own time and user stay
   * in the model's history). Versions not here are ignored. Returns false, writing nothing, when
   * the times are already these.
   */
  importModelTimes(name: string, times: ImportedTimes): boolean {
    for (const t of [times.creation_timestamp, times.last_updated_timestamp, ...Object.values(times.versions)]) {
      if (!Number.isSafeInteger(t) || t < 0) throw new InvalidParameterError(`Invalid timestamp ${t} for registered model '${name}': milliseconds since the epoch.`, { name });
    }
    try {
      this.changeActive(name, (s) => {
        const versions: Record<string, number> = {};
        for (const [v, t] of Object.entries(times.versions)) {
          const tag = this.store.versionTagOid(name, Number(v));
          const record = tag ? this.store.readVersionTag(tag)?.record : undefined;
          if (record && (s.versions[v]?.last_updated_timestamp ?? record.creation_timestamp) !== t) versions[v] = t;
        }
        if (s.creation_timestamp === times.creation_timestamp && s.last_updated_timestamp === times.last_updated_timestamp && Object.keys(versions).length === 0) throw new NothingToChange();
        return { type: 'import_times', creation_timestamp: times.creation_timestamp, last_updated_timestamp: times.last_updated_timestamp, versions };
      });
      return true;
    } catch (err) {
      if (err instanceof NothingToChange) return false;
      throw err;
    }
  }

  getModelVersion(name: string, version: string | number): ModelVersion {
    const snap = this.snapshot(name);
    return toModelVersion(snap, this.versionOf(snap, parseVersion(version)));
  }

  /** MLflow's get_latest_versions without stages: the newest live version, as a one-element list. */
  getLatestVersions(name: string): ModelVersion[] {
    return this.getRegisteredModel(name).latest_versions;
  }

  searchModelVersions(options: SearchOptions = {}): { model_versions: ModelVersion[]; nextPageToken?: string } {
    const filter = registryFilter(options.filter, 'model versions', VERSION_FIELDS);
    const models = filter.nameEquals !== undefined ? [this.index.model(encodeModelName(filter.nameEquals))].filter((m): m is ModelSnapshot => m !== null) : this.index.models().map((m) => this.index.model(m.encoded)!);
    const out: ModelVersion[] = [];
    for (const m of models) {
      for (const v of liveVersions(m)) {
        const mv = toModelVersion(m, v);
        if (filter.test((f) => (f.startsWith('tags.') ? mv.tags.find((t) => t.key === f.slice(5))?.value : (mv as unknown as Record<string, string>)[f]))) out.push(mv);
      }
    }
    sortBy(out, options.orderBy, ['name', 'version', 'creation_timestamp', 'last_updated_timestamp', 'run_id'], 'name ASC', 'version DESC');
    const { page, next } = paginate(out, options, 'model_versions');
    return { model_versions: page, ...(next ? { nextPageToken: next } : {}) };
  }

  updateModelVersion(name: string, version: string | number, options: { description: string }): ModelVersion {
    const n = parseVersion(version);
    this.changeVersion(name, n, () => ({ type: 'update_version', version: n, description: String(options.description ?? '') }));
    return this.getModelVersion(name, n);
  }

  setModelVersionTag(name: string, version: string | number, key: string, value: string): void {
    const n = parseVersion(version);
    this.changeVersion(name, n, () => ({ type: 'set_version_tag', version: n, key: tagKey(key), value: String(value) }));
  }

  deleteModelVersionTag(name: string, version: string | number, key: string): void {
    const n = parseVersion(version);
    this.changeVersion(name, n, () => ({ type: 'delete_version_tag', version: n, key }));
  }

  /** Marks a version deleted (its aliases go with it); the tag stays, so history keeps it. */
  deleteModelVersion(name: string, version: string | number): void {
    const n = parseVersion(version);
    this.changeVersion(name, n, () => ({ type: 'delete_version', version: n }));
  }

  // ---- aliases

  setRegisteredModelAlias(name: string, alias: string, version: string | number): void {
    this.setRegisteredModelAliases(name, { [alias]: version });
  }

  /** Points several aliases at once (`{ champion: 3, challenger: 2 }`) in one commit: all move or none. */
  setRegisteredModelAliases(name: string, aliases: Record<string, string | number>): void {
    const parsed: Record<string, number> = {};
    for (const [a, v] of Object.entries(aliases)) parsed[validateAlias(a)] = parseVersion(v);
    if (Object.keys(parsed).length === 0) throw new InvalidParameterError('No aliases given.', { field: 'aliases' });
    this.changeActive(name, (s) => {
      for (const v of Object.values(parsed)) this.assertVersion(name, s, v);
      return { type: 'set_aliases', aliases: parsed };
    });
  }

  deleteRegisteredModelAlias(name: string, alias: string): void {
    this.changeActive(name, (s) => {
      if (!(alias in s.aliases)) throw new NotFoundError(`Registered model '${name}' has no alias '${alias}'.`, { name, alias });
      return { type: 'delete_alias', alias };
    });
  }

  getModelVersionByAlias(name: string, alias: string): ModelVersion {
    const snap = this.snapshot(name);
    const v = snap.state?.aliases[alias];
    if (v === undefined) {
      const known = Object.keys(snap.state?.aliases ?? {});
      throw new NotFoundError(`Registered model '${name}' has no alias '${alias}'${known.length ? ` (it has: ${known.join(', ')})` : ''}.`, { name, alias });
    }
    return toModelVersion(snap, this.versionOf(snap, v));
  }

  /** Every registration, alias move, edit and deletion of a model, oldest first. */
  history(name: string): HistoryEvent[] {
    const snap = this.index.model(encodeModelName(validateModelName(name)));
    if (!snap) throw notFound(name);
    return historyOf(this.store, snap);
  }

  // ---- URIs

  /** Resolves `models:/…` and `runs:/…` URIs to the run, the exact commit and the artifact path. */
  resolve(uri: string): ResolvedModel {
    const u = parseModelUri(uri);
    if (u.kind === 'runs') {
      const where = this.locateSource(uri);
      return { uri, run_id: where.runId, commit: where.commit, artifact_path: where.path };
    }
    const snap = this.snapshot(u.name);
    let entry: VersionEntry;
    if (u.kind === 'alias') {
      const v = snap.state?.aliases[u.alias];
      if (v === undefined) throw new NotFoundError(`Registered model '${u.name}' has no alias '${u.alias}' (in ${uri}).`, { uri });
      entry = this.versionOf(snap, v);
    } else if (u.version === 'latest') {
      const latest = liveVersions(snap).at(-1);
      if (!latest) throw new NotFoundError(`Registered model '${u.name}' has no versions (in ${uri}).`, { uri });
      entry = latest;
    } else entry = this.versionOf(snap, u.version);
    return {
      uri,
      name: snap.name,
      version: String(entry.record.version),
      ...(u.kind === 'alias' ? { alias: u.alias } : {}),
      run_id: entry.record.run_id,
      commit: entry.commit,
      artifact_path: entry.record.artifact_path,
      tag: tagRefOf(snap.name, entry.record.version),
    };
  }

  /** Copies the model a URI points at into `dest` (files of that exact commit); returns the local path. */
  async downloadArtifacts(uri: string, dest: string): Promise<string> {
    const r = this.resolve(uri);
    return downloadArtifactTree(this.store.git, this.artifactsTreeOf(r.commit), r.artifact_path, dest, r.run_id);
  }

  close(): void {
    if (this.ownsTracking) this.tracking.close();
  }

  // ---- helpers

  /** The model's snapshot; deleted or renamed models are not found. */
  snapshot(name: string): ModelSnapshot {
    const snap = this.index.model(encodeModelName(validateModelName(name)));
    if (!snap || (!snap.state && liveVersions(snap).length === 0)) throw notFound(name);
    if (snap.problem) throw new InvalidParameterError(snap.problem, { name });
    if (snap.state?.status === 'deleted') throw notFound(name, ' (it was deleted; see `git-ml models history`)');
    if (snap.state?.status === 'renamed') throw notFound(name, ` (it was renamed to '${snap.state.renamed_to}')`);
    return snap;
  }

  private versionOf(snap: ModelSnapshot, version: number): VersionEntry {
    const v = snap.versions.find((x) => x.record.version === version);
    if (!v || !isLive(snap, v)) {
      const live = liveVersions(snap).map((x) => x.record.version);
      throw new NotFoundError(
        `Model version ${version} of '${snap.name}' ${v ? 'was deleted' : 'does not exist'}${live.length ? ` (versions: ${live.join(', ')})` : ' (it has no versions)'}.`,
        { name: snap.name, version },
      );
    }
    return v;
  }

  private changeActive(name: string, make: (s: ModelState) => RegistryEvent): void {
    validateModelName(name);
    this.store.change(name, (cur) => {
      if (cur?.status !== 'active') {
        this.snapshot(name); // throws the right "not found"
        // versions exist but the record is missing (e.g. tags pushed by hand without records): start one
        return make(emptyState(name, Date.now(), this.store.user));
      }
      return make(cur);
    });
  }

  private changeVersion(name: string, version: number, make: () => RegistryEvent): void {
    this.changeActive(name, (s) => {
      this.assertVersion(name, s, version);
      return make();
    });
  }

  /** Checks a version against the refs and the current record directly (writes never wait for the index). */
  private assertVersion(name: string, state: ModelState, version: number): void {
    if (this.store.versionTagOid(name, version) && !state.versions[String(version)]?.deleted) return;
    this.versionOf(this.snapshot(name), version); // throws with the list of versions
    throw new NotFoundError(`Model version ${version} of '${name}' does not exist.`, { name, version });
  }

  private artifactsTreeOf(commit: string): string | null {
    const c = this.store.git.objects.readCommit(commit);
    return this.store.git.objects.readTree(c.tree).find((e) => e.name === 'artifacts' && e.mode === '40000')?.oid ?? null;
  }

  /**
   * MLflow's REST API records any source string with a run id. When the source names a file of the
   * run it is located as usual; otherwise the version tags the run's current commit with an empty
   * artifact path (the whole artifacts tree) and keeps the source exactly as given.
   */
  private locateAnySource(source: string, runId?: string): { runId: string; commit: string; path: string; source: string } {
    try {
      return this.locateSource(source, runId);
    } catch (err) {
      if (!runId || !(err instanceof InvalidParameterError || err instanceof NotFoundError)) throw err;
      return { runId, commit: this.tracking.runCommit(runId).commit, path: '', source };
    }
  }

  /** The run, commit and artifact path a version source names; the path must exist in the run. */
  private locateSource(source: string, runId?: string): { runId: string; commit: string; path: string; source: string } {
    if (typeof source !== 'string' || source === '') throw new InvalidParameterError('A model version needs a source, e.g. runs:/<run_id>/model.', { field: 'source' });
    let id = runId;
    let path: string;
    let commit: string | undefined;
    if (source.startsWith('models:/')) {
      const r = this.resolve(source);
      return { runId: r.run_id, commit: r.commit, path: r.artifact_path, source };
    }
    if (source.startsWith('runs:/')) {
      const u = parseModelUri(source);
      if (u.kind !== 'runs') throw new InvalidParameterError(`Invalid source '${source}'.`, { field: 'source' });
      if (runId && runId !== u.runId) throw new InvalidParameterError(`The source ${source} names run ${u.runId}, but run_id is ${runId}.`, { field: 'run_id' });
      id = u.runId;
      path = cleanArtifactPath(u.path, 'source');
    } else {
      if (!id) throw new InvalidParameterError(`Source '${source}' is a path: give the run it belongs to (run_id; --run-id on the command line), or use runs:/<run_id>/${source}.`, { field: 'source' });
      path = cleanArtifactPath(source, 'source');
    }
    const rc = this.tracking.runCommit(id!);
    commit = rc.commit;
    if (!findArtifactEntry(this.store.git, rc.artifactsTree, path)) {
      throw new NotFoundError(`Run ${id} has no artifact '${path}', so it cannot be registered. List what it has with \`git-ml artifacts list ${id}\`.`, { run_id: id, path });
    }
    return { runId: id!, commit, path, source: source.startsWith('runs:/') ? source : `runs:/${id}/${path}` };
  }
}

/** Thrown inside a record change to write nothing. */
class NothingToChange extends Error {}

function validateImportedVersion(v: { version: number; user_id: string; creation_timestamp: number }): void {
  if (!Number.isSafeInteger(v.version) || v.version < 1) throw new InvalidParameterError(`Invalid imported version number ${v.version}: a positive integer.`, { field: 'version' });
  if (!Number.isSafeInteger(v.creation_timestamp) || v.creation_timestamp < 0) {
    throw new InvalidParameterError(`Invalid creation_timestamp ${v.creation_timestamp} of imported version ${v.version}: milliseconds since the epoch.`, { field: 'creation_timestamp' });
  }
  if (typeof v.user_id !== 'string') throw new InvalidParameterError(`Invalid user_id of imported version ${v.version}: a string.`, { field: 'user_id' });
}

function notFound(name: string, why = ''): NotFoundError {
  return new NotFoundError(`Registered model '${name}' not found${why}. List models with \`git-ml models list\`.`, { name });
}

function tagKey(key: string): string {
  if (typeof key !== 'string' || key === '' || key.length > 250) throw new InvalidParameterError(`Invalid tag key '${String(key)}': 1 to 250 characters.`, { field: 'key' });
  return key;
}

function stringMap(o: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) out[tagKey(k)] = String(v);
  return out;
}

function sortBy<T>(items: T[], orderBy: string[] | undefined, allowed: string[], ...dflt: string[]): void {
  const keys = (orderBy?.length ? orderBy : dflt).map((o) => {
    const m = /^\s*(\w+)\s*(ASC|DESC)?\s*$/i.exec(o);
    if (!m || !allowed.includes(m[1])) {
      throw new InvalidParameterError(`Invalid order_by '${o}': use one of ${allowed.join(', ')}, optionally followed by ASC or DESC.`, { field: 'order_by' });
    }
    return { field: m[1], desc: m[2]?.toUpperCase() === 'DESC' };
  });
  const val = (x: T, f: string) => {
    const v = (x as Record<string, unknown>)[f];
    return f === 'version' ? Number(v) : v;
  };
  items.sort((a, b) => {
    for (const k of keys) {
      const va = val(a, k.field) as string | number;
      const vb = val(b, k.field) as string | number;
      // plain code-unit order, not the machine's locale (MLflow's stores compare bytes)
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va) < String(vb) ? -1 : String(va) > String(vb) ? 1 : 0;
      if (c) return k.desc ? -c : c;
    }
    return 0;
  });
}

/** One page, with tracking's page tokens: a token carries its query and is refused for another one. */
function paginate<T>(items: T[], options: SearchOptions, kind: string): { page: T[]; next?: string } {
  const max = options.maxResults ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 50_000) throw new InvalidParameterError(`Invalid max_results ${max}: 1 to 50000.`, { field: 'max_results' });
  const fingerprint = queryFingerprint(options.filter, options.orderBy, kind);
  const offset = decodePageToken(options.pageToken ?? '', fingerprint);
  const page = items.slice(offset, offset + max);
  const next = offset + max < items.length ? encodePageToken(offset + max, fingerprint) : undefined;
  return { page, next };
}
