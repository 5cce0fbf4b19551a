import { join } from 'node:path';
import type { GitStore } from '@git-ml/gitstore';
import { decodeModelName, parseVersionTag, RECORDS_PREFIX, TAGS_PREFIX } from './names.js';
import type { ModelState, VersionRecord } from './records.js';
import type { RegistryStore } from './store.js';

const INDEX_VERSION = 1;
/** gitstore's `.git/ml/` area of this index */
const AREA = 'index/registry';
/** How far a directory's mtime may lag the clock tick of a change made while we listed it. */
const TICK_MARGIN_MS = 50;

export interface VersionEntry {
  /** the tag object */
  tag: string;
  /** the run commit the tag points at */
  commit: string;
  record: VersionRecord;
}

/** Everything the registry knows about one model, as the derived index keeps it. */
export interface ModelSnapshot {
  encoded: string;
  name: string;
  record: string | null;
  state: ModelState | null;
  /** by version number, ascending */
  versions: VersionEntry[];
  /** why the record could not be read, when it could not */
  problem?: string;
}

interface RefsDoc {
  version: number;
  records: Record<string, string>;
  tags: Record<string, Record<string, string>>;
}

interface SigDoc {
  version: number;
  sig: string;
  listedAt: number;
}

/**
 * The registry's derived index in gitstore's `index/registry` area: one JSON file per model (record
 * state plus every version's tag message), a summary of all models, and the ref oids they were built
 * from. A query first compares gitstore's stamp of the version-tag and record ref directories (and
 * packed refs) with the one saved at the last listing; only when it differs are
 * the refs listed again, and only models whose refs changed are re-read. Delete it and it is rebuilt.
 */
export class RegistryIndex {
  private memo: { sig: string; listedAt?: number; models: Map<string, ModelSnapshot>; all?: ModelSnapshot[] } | null = null;

  constructor(
    private readonly store: RegistryStore,
    private readonly git: GitStore = store.git,
  ) {
  }

  private currentSignature(): { sig: string; newest: number } {
    const { stamp, newest } = this.git.refDirsStamp([TAGS_PREFIX, RECORDS_PREFIX]);
    return { sig: stamp, newest };
  }

  /** Brings the index up to date when refs changed; returns the current signature. */
  private fresh(): string {
    const { sig, newest } = this.currentSignature();
    if (this.memo?.sig === sig && this.trusted(newest)) return sig;
    const saved = this.readJson<SigDoc>('sig.json');
    if (saved?.version === INDEX_VERSION && saved.sig === sig && newest < saved.listedAt - TICK_MARGIN_MS) {
      if (this.memo?.sig !== sig) this.memo = { sig, models: new Map() };
      this.memo.listedAt = saved.listedAt;
      return sig;
    }
    return this.refresh();
  }

  private trusted(newest: number): boolean {
    return this.memo !== null && this.memo.listedAt !== undefined && newest < this.memo.listedAt - TICK_MARGIN_MS;
  }

  /** Re-lists the refs and re-reads the models whose record or tags changed. */
  refresh(): string {
    const listedAt = Date.now();
    const { sig } = this.currentSignature();
    const tags = new Map<string, Map<number, string>>();
    for (const [ref, oid] of this.git.refs.list(TAGS_PREFIX)) {
      const parsed = parseVersionTag(ref.slice(TAGS_PREFIX.length));
      if (!parsed) continue;
      let m = tags.get(parsed.encoded);
      if (!m) tags.set(parsed.encoded, (m = new Map()));
      m.set(parsed.version, oid);
    }
    const records = new Map<string, string>();
    for (const [ref, oid] of this.git.refs.list(RECORDS_PREFIX)) records.set(ref.slice(RECORDS_PREFIX.length), oid);

    const old = this.readJson<RefsDoc>('refs.json');
    const valid = old?.version === INDEX_VERSION;
    const doc: RefsDoc = { version: INDEX_VERSION, records: {}, tags: {} };
    const models = new Map<string, ModelSnapshot>();
    for (const encoded of new Set([...tags.keys(), ...records.keys()])) {
      const tagMap = tags.get(encoded) ?? new Map<number, string>();
      const record = records.get(encoded) ?? null;
      const tagObj = Object.fromEntries([...tagMap].map(([v, o]) => [String(v), o]));
      if (record) doc.records[encoded] = record;
      doc.tags[encoded] = tagObj;
      const unchanged = valid && (old.records[encoded] ?? null) === record && sameTags(old.tags[encoded], tagObj);
      const previous = unchanged || valid ? this.readJson<ModelSnapshot>(join('models', `${fileOf(encoded)}.json`)) : null;
      if (unchanged && previous) {
        models.set(encoded, previous);
        continue;
      }
      const snap = this.build(encoded, record, tagMap, previous);
      models.set(encoded, snap);
      this.writeJson(join('models', `${fileOf(encoded)}.json`), snap);
    }
    if (valid) {
      for (const encoded of Object.keys({ ...old.records, ...old.tags })) {
        if (!models.has(encoded)) this.git.removeAreaFile(AREA, join('models', `${fileOf(encoded)}.json`));
      }
    }
    // models with neither a readable record nor a git-ml version tag are not models (e.g. a user tag `x@v1`)
    const all = [...models.values()].filter((m) => m.state || m.problem || m.versions.length > 0);
    this.writeJson('summary.json', all.map(summaryOf));
    this.writeJson('refs.json', doc);
    this.writeJson('sig.json', { version: INDEX_VERSION, sig, listedAt } satisfies SigDoc);
    this.memo = { sig, models, all, listedAt };
    return sig;
  }

  private build(encoded: string, record: string | null, tagMap: Map<number, string>, previous: ModelSnapshot | null): ModelSnapshot {
    const known = new Map((previous?.versions ?? []).map((v) => [v.tag, v]));
    const versions: VersionEntry[] = [];
    for (const [, oid] of [...tagMap].sort((a, b) => a[0] - b[0])) {
      const reuse = known.get(oid);
      if (reuse) {
        versions.push(reuse);
        continue;
      }
      const t = this.store.readVersionTag(oid);
      if (t) versions.push({ tag: oid, commit: t.commit, record: t.record });
    }
    let state: ModelState | null = null;
    let problem: string | undefined;
    if (record) {
      try {
        state = this.store.readState(`${RECORDS_PREFIX}${encoded}`, record);
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    const name = state?.name ?? versions.at(-1)?.record.name ?? decodeModelName(encoded) ?? encoded;
    return { encoded, name, record, state, versions, ...(problem ? { problem } : {}) };
  }

  /** A model's snapshot by its encoded name, or null. */
  model(encoded: string): ModelSnapshot | null {
    this.fresh();
    const memo = this.memo!;
    const hit = memo.models.get(encoded);
    if (hit) return hit;
    const snap = this.readJson<ModelSnapshot>(join('models', `${fileOf(encoded)}.json`));
    if (snap) memo.models.set(encoded, snap);
    return snap;
  }

  /** The last known snapshot of a model without checking the refs: for guesses that are verified anyway. */
  peek(encoded: string): ModelSnapshot | null {
    return this.memo?.models.get(encoded) ?? this.readJson<ModelSnapshot>(join('models', `${fileOf(encoded)}.json`));
  }

  /** Summaries of every model (versions limited to the latest and aliased ones). */
  models(): ModelSnapshot[] {
    this.fresh();
    const memo = this.memo!;
    if (memo.all) return memo.all;
    const list = this.readJson<ModelSnapshot[]>('summary.json');
    if (!list) {
      this.refresh();
      return this.memo!.all!;
    }
    memo.all = list;
    return list;
  }

  /** An index file, or null when it is missing or damaged (then it is rebuilt from the refs). */
  private readJson<T>(rel: string): T | null {
    const data = this.git.readAreaFile(AREA, rel);
    if (!data) return null;
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      return null;
    }
  }

  private writeJson(rel: string, value: unknown): void {
    this.git.writeAreaFile(AREA, rel, JSON.stringify(value));
  }
}

function sameTags(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Index file name of a model: the encoding is already file-safe; `%` is kept as is. */
function fileOf(encoded: string): string {
  return encoded;
}

/** What listing needs: the record and the latest plus aliased versions only. */
function summaryOf(m: ModelSnapshot): ModelSnapshot {
  const aliased = new Set(Object.values(m.state?.aliases ?? {}));
  const live = m.versions.filter((v) => !m.state?.versions[String(v.record.version)]?.deleted);
  const keep = new Set([live.at(-1), ...live.filter((v) => aliased.has(v.record.version))]);
  return { ...m, versions: m.versions.filter((v) => keep.has(v)) };
}
