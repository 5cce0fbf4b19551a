import type { HistoryEvent } from './model.js';
import { describeEvent } from './records.js';
import type { ModelSnapshot } from './registry-index.js';
import type { RegistryStore } from './store.js';

/**
 * A model's audit trail, oldest first: each version tag is a registration (tagger and time from the
 * tag), each record commit one change (its event carries who and when). Merge commits add nothing.
 */
export function historyOf(store: RegistryStore, snap: ModelSnapshot): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (const v of snap.versions) {
    const r = v.record;
    out.push({
      timestamp: r.creation_timestamp,
      user: r.user_id,
      action: r.renamed_from ? 'copy_version' : 'register',
      version: String(r.version),
      detail: r.renamed_from
        ? `v${r.version} carried over from '${r.renamed_from}'`
        : `register v${r.version} from ${r.source}${r.renumbered_from ? ` (registered as v${r.renumbered_from}; renumbered on pull)` : ''}`,
      object: v.tag,
    });
  }
  if (snap.record) {
    for (const { commit, event } of store.recordLog(snap.record)) {
      if (!event) continue;
      const e = event.event;
      const version = 'version' in e ? String(e.version) : e.type === 'renumber_version' ? String(e.to) : undefined;
      if (e.type === 'set_aliases') {
        for (const [alias, v] of Object.entries(e.aliases)) {
          out.push({ timestamp: event.at, user: event.user, action: 'set_alias', alias, version: String(v), detail: `point ${alias} → v${v}`, object: commit });
        }
        continue;
      }
      out.push({
        timestamp: event.at,
        user: event.user,
        action: e.type,
        ...(version ? { version } : {}),
        ...(e.type === 'delete_alias' ? { alias: e.alias } : {}),
        detail: describeEvent(snap.name, e),
        object: commit,
      });
    }
  }
  return out.sort((a, b) => a.timestamp - b.timestamp || rank(a) - rank(b));
}

/** Same millisecond: a model is created before its first version is registered, which comes before alias moves. */
function rank(e: HistoryEvent): number {
  return e.action === 'create' || e.action === 'rename_from' ? 0 : e.action === 'register' || e.action === 'copy_version' ? 1 : 2;
}
