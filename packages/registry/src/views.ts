import type { ModelVersion, RegisteredModel } from './model.js';
import type { ModelSnapshot, VersionEntry } from './registry-index.js';

const kv = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));

export function isLive(m: ModelSnapshot, v: VersionEntry): boolean {
  return !m.state?.versions[String(v.record.version)]?.deleted && m.state?.status !== 'deleted' && m.state?.status !== 'renamed';
}

export function liveVersions(m: ModelSnapshot): VersionEntry[] {
  return m.versions.filter((v) => isLive(m, v));
}

/** A version in MLflow's ModelVersion JSON shape, with the record's later changes applied. */
export function toModelVersion(m: ModelSnapshot, v: VersionEntry): ModelVersion {
  const r = v.record;
  const o = m.state?.versions[String(r.version)] ?? {};
  const aliases = Object.entries(m.state?.aliases ?? {})
    .filter(([, n]) => n === r.version)
    .map(([a]) => a)
    .sort();
  return {
    name: m.name,
    version: String(r.version),
    creation_timestamp: r.creation_timestamp,
    last_updated_timestamp: o.last_updated_timestamp ?? r.creation_timestamp,
    user_id: r.user_id,
    current_stage: 'None',
    description: o.description ?? r.description,
    source: r.source,
    run_id: r.run_id,
    status: 'READY',
    run_link: '',
    tags: kv(o.tags ?? r.tags),
    aliases,
  };
}

/** A model in MLflow's RegisteredModel JSON shape; `latest_versions` holds the newest live version. */
export function toRegisteredModel(m: ModelSnapshot): RegisteredModel {
  const s = m.state;
  const latest = liveVersions(m).at(-1);
  const created = s?.creation_timestamp ?? m.versions[0]?.record.creation_timestamp ?? 0;
  return {
    name: m.name,
    creation_timestamp: created,
    last_updated_timestamp: Math.max(s?.last_updated_timestamp ?? 0, latest?.record.creation_timestamp ?? 0, created),
    user_id: s?.user_id ?? m.versions[0]?.record.user_id ?? '',
    description: s?.description ?? '',
    latest_versions: latest ? [toModelVersion(m, latest)] : [],
    tags: kv(s?.tags ?? {}),
    aliases: Object.entries(s?.aliases ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([alias, v]) => ({ alias, version: String(v) })),
  };
}
