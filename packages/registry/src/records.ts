import YAML from 'yaml';

/** Schema versions of the two record formats (docs/registry.md). */
export const MODEL_SCHEMA = 'git-ml/registered-model/1';
export const VERSION_SCHEMA = 'git-ml/model-version/1';

/** What a version tag's message holds; immutable once the tag exists. */
export interface VersionRecord {
  name: string;
  version: number;
  run_id: string;
  /** the run's artifact path of the model ('' = the whole artifact root) */
  artifact_path: string;
  source: string;
  description: string;
  tags: Record<string, string>;
  user_id: string;
  creation_timestamp: number;
  /** set when a rename copied this version from an older name */
  renamed_from?: string;
  /** set when a pull moved this (unpushed) version to a new number: the number it was registered as */
  renumbered_from?: number;
}

/** Changes to a version made after it was tagged, kept in the model record. */
export interface VersionOverride {
  description?: string;
  tags?: Record<string, string>;
  deleted?: boolean;
  last_updated_timestamp?: number;
}

export type ModelStatus = 'active' | 'deleted' | 'renamed';

/** The registered model's record (`model.yaml` on `refs/ml/registry/<name>`). */
export interface ModelState {
  name: string;
  status: ModelStatus;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  description: string;
  tags: Record<string, string>;
  /** alias → version */
  aliases: Record<string, number>;
  versions: Record<string, VersionOverride>;
  renamed_to?: string;
  renamed_from?: string;
}

/** One change to a model record; each record commit carries exactly one (merges replay them). */
export type RegistryEvent =
  | { type: 'create'; description: string; tags: Record<string, string> }
  | { type: 'update'; description: string }
  | { type: 'set_tag'; key: string; value: string }
  | { type: 'delete_tag'; key: string }
  | { type: 'set_aliases'; aliases: Record<string, number> }
  | { type: 'delete_alias'; alias: string }
  | { type: 'update_version'; version: number; description: string }
  | { type: 'set_version_tag'; version: number; key: string; value: string }
  | { type: 'delete_version_tag'; version: number; key: string }
  | { type: 'delete_version'; version: number }
  /** `versions`: every version number the model had, all marked deleted with it */
  | { type: 'delete'; versions?: number[] }
  /** a pull gave our unpushed version `from` the number `to` (the remote had another `from`) */
  | { type: 'renumber_version'; from: number; to: number; aliases: string[] }
  | { type: 'rename_to'; name: string }
  | { type: 'rename_from'; name: string; state: ModelState }
  /**
   * `git-ml import`: the times another registry (MLflow) recorded for the model and its versions
   * (version number → last-updated time), kept instead of the times of the import.
   */
  | { type: 'import_times'; creation_timestamp: number; last_updated_timestamp: number; versions: Record<string, number> };

export interface StampedEvent {
  event: RegistryEvent;
  at: number;
  user: string;
}

export function emptyState(name: string, at: number, user: string): ModelState {
  return { name, status: 'active', creation_timestamp: at, last_updated_timestamp: at, user_id: user, description: '', tags: {}, aliases: {}, versions: {} };
}

/** Applies one event; pure, so replaying both sides' events after a merge gives one answer. */
export function applyEvent(prev: ModelState, { event, at, user }: StampedEvent): ModelState {
  const s: ModelState = structuredClone(prev);
  s.last_updated_timestamp = Math.max(s.last_updated_timestamp, at);
  const version = (v: number) => (s.versions[String(v)] ??= {});
  switch (event.type) {
    case 'create':
      if (s.status !== 'active') Object.assign(s, emptyState(s.name, at, user), { versions: s.versions });
      s.description = event.description;
      s.tags = { ...event.tags };
      break;
    case 'update':
      s.description = event.description;
      break;
    case 'set_tag':
      s.tags[event.key] = event.value;
      break;
    case 'delete_tag':
      delete s.tags[event.key];
      break;
    case 'set_aliases':
      Object.assign(s.aliases, event.aliases);
      break;
    case 'delete_alias':
      delete s.aliases[event.alias];
      break;
    case 'update_version':
      Object.assign(version(event.version), { description: event.description, last_updated_timestamp: at });
      break;
    case 'set_version_tag': {
      const o = version(event.version);
      o.tags = { ...(o.tags ?? {}), [event.key]: event.value };
      o.last_updated_timestamp = at;
      break;
    }
    case 'delete_version_tag': {
      const o = version(event.version);
      o.tags = { ...(o.tags ?? {}) };
      delete o.tags[event.key];
      o.last_updated_timestamp = at;
      break;
    }
    case 'delete_version':
      Object.assign(version(event.version), { deleted: true, last_updated_timestamp: at });
      for (const [a, v] of Object.entries(s.aliases)) if (v === event.version) delete s.aliases[a];
      break;
    case 'delete':
      s.status = 'deleted';
      s.aliases = {};
      for (const v of event.versions ?? []) Object.assign(version(v), { deleted: true, last_updated_timestamp: at });
      break;
    case 'renumber_version':
      for (const a of event.aliases) s.aliases[a] = event.to;
      break;
    case 'rename_to':
      s.status = 'renamed';
      s.renamed_to = event.name;
      s.aliases = {};
      break;
    case 'rename_from':
      return { ...structuredClone(event.state), name: s.name, status: 'active', renamed_from: event.name, renamed_to: undefined, last_updated_timestamp: at };
    case 'import_times':
      // the source's times, not the import's: set after the `at` bump above on purpose
      s.creation_timestamp = event.creation_timestamp;
      s.last_updated_timestamp = event.last_updated_timestamp;
      for (const [v, t] of Object.entries(event.versions)) version(Number(v)).last_updated_timestamp = t;
      break;
  }
  return s;
}

/** A short human line for a commit subject and the history listing. */
export function describeEvent(name: string, e: RegistryEvent): string {
  switch (e.type) {
    case 'create':
      return `create registered model ${name}`;
    case 'update':
      return `update the description of ${name}`;
    case 'set_tag':
      return `set tag ${e.key}=${e.value} on ${name}`;
    case 'delete_tag':
      return `delete tag ${e.key} of ${name}`;
    case 'set_aliases':
      return `point ${Object.entries(e.aliases).map(([a, v]) => `${a} → v${v}`).join(', ')} of ${name}`;
    case 'delete_alias':
      return `delete alias ${e.alias} of ${name}`;
    case 'update_version':
      return `update the description of ${name} v${e.version}`;
    case 'set_version_tag':
      return `set tag ${e.key}=${e.value} on ${name} v${e.version}`;
    case 'delete_version_tag':
      return `delete tag ${e.key} of ${name} v${e.version}`;
    case 'delete_version':
      return `delete ${name} v${e.version}`;
    case 'delete':
      return `delete registered model ${name}`;
    case 'renumber_version':
      return `renumber ${name} v${e.from} → v${e.to} (the remote already had a v${e.from})${e.aliases.length ? `; ${e.aliases.join(', ')} follow it` : ''}`;
    case 'rename_to':
      return `rename ${name} to ${e.name}`;
    case 'rename_from':
      return `rename ${e.name} to ${name}`;
    case 'import_times':
      return `keep the creation and last-updated times ${name} had before it was imported`;
  }
}

// ---- YAML documents

export function formatModelYaml(s: ModelState): string {
  return YAML.stringify({ schema: MODEL_SCHEMA, ...dropUndefined(s) }, { lineWidth: 0 });
}

export function parseModelYaml(text: string): ModelState {
  const doc = YAML.parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new Error('not a YAML mapping');
  if (doc.schema !== MODEL_SCHEMA) throw new Error(`unknown schema '${String(doc.schema)}' (this git-ml reads ${MODEL_SCHEMA})`);
  const req = (k: string, t: string) => {
    if (typeof doc[k] !== t) throw new Error(`field '${k}' must be a ${t}`);
  };
  req('name', 'string');
  req('status', 'string');
  req('creation_timestamp', 'number');
  req('last_updated_timestamp', 'number');
  for (const k of ['tags', 'aliases', 'versions']) if (doc[k] === null || typeof doc[k] !== 'object') doc[k] = {};
  delete doc.schema;
  return { description: '', user_id: '', ...doc } as unknown as ModelState;
}

/** Commit message of a record commit: a subject, then the event as YAML so merges can replay it. */
export function formatEventMessage(name: string, se: StampedEvent): string {
  const event = se.event.type === 'rename_from' ? { type: 'rename_from', name: se.event.name } : se.event;
  return `git-ml: ${describeEvent(name, se.event)}\n\n${YAML.stringify({ event, at: se.at, user: se.user }, { lineWidth: 0 })}`;
}

export function parseEventMessage(message: string): StampedEvent | null {
  const body = message.split('\n\n').slice(1).join('\n\n');
  try {
    const doc = YAML.parse(body) as { event?: RegistryEvent; at?: number; user?: string } | null;
    if (!doc?.event || typeof doc.at !== 'number') return null;
    return { event: doc.event, at: doc.at, user: doc.user ?? '' };
  } catch {
    return null;
  }
}

export function formatVersionMessage(v: VersionRecord): string {
  return YAML.stringify({ schema: VERSION_SCHEMA, ...dropUndefined(v) }, { lineWidth: 0 });
}

export function parseVersionMessage(text: string): VersionRecord | null {
  try {
    const doc = YAML.parse(text) as Record<string, unknown> | null;
    if (!doc || doc.schema !== VERSION_SCHEMA) return null;
    if (typeof doc.name !== 'string' || typeof doc.version !== 'number' || typeof doc.run_id !== 'string') return null;
    delete doc.schema;
    return { description: '', tags: {}, artifact_path: '', source: '', user_id: '', creation_timestamp: 0, ...doc } as unknown as VersionRecord;
  } catch {
    return null;
  }
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
