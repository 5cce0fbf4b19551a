import { absentLfsWarning, fetchRefs, isAncestor, lsRemote, mergeBase, pushRefs } from '@git-ml/gitstore';
import type { RegistryClient } from './client.js';
import { parseVersionTag, RECORDS_PREFIX, tagRefOf, TAGS_PREFIX } from './names.js';
import { applyEvent, emptyState, type ModelState, type StampedEvent } from './records.js';

export interface RegistryPullResult {
  /** version tags and model records new here */
  created: string[];
  /** records fast-forwarded or merged */
  updated: string[];
  /** local versions that lost a race for their number: the remote's version keeps it, ours moved up */
  renumbered: { name: string; from: number; to: number }[];
}

export interface RegistryPushResult {
  pushed: string[];
  rejected: { ref: string; reason: string }[];
  pulled?: RegistryPullResult;
}

const NS = 'refs/ml-sync/';

function nsOf(remote: string): string {
  // beside tracking's `refs/ml-sync/<remote>/`, not inside it
  return `${NS}${remote.replace(/[^\w.-]/g, '_')}.registry/`;
}

/**
 * Fetches the remote's version tags and model records and merges them in. A version number taken on
 * both sides by different registrations is the remote's (it was pushed first); the local one gets
 * the next free number and its aliases follow it. Records changed on both sides are merged by
 * replaying both sides' changes in time order, so no alias move or edit is lost.
 */
export function pullRegistry(client: RegistryClient, remote = 'origin'): RegistryPullResult {
  const g = client.store.git;
  const cwd = g.location.commonDir;
  const ns = nsOf(remote);
  fetchRefs(cwd, remote, [`+${RECORDS_PREFIX}*:${ns}records/*`, `+${TAGS_PREFIX}*:${ns}tags/*`]);
  const fetched = g.refs.list(ns);
  const result: RegistryPullResult = { created: [], updated: [], renumbered: [] };
  try {
    const tags = [...fetched].filter(([r]) => r.startsWith(`${ns}tags/`));
    for (const [tmp, theirs] of tags) {
      const name = tmp.slice(`${ns}tags/`.length);
      const parsed = parseVersionTag(name);
      if (!parsed) continue;
      const ref = `${TAGS_PREFIX}${name}`;
      const ours = g.refs.read(ref);
      if (ours === theirs) continue;
      const theirRecord = client.store.readVersionTag(theirs);
      const ourRecord = ours ? client.store.readVersionTag(ours) : null;
      if (!ourRecord) {
        // a new version; tags that are not model versions are the user's business, not git-ml's
        if (!ours && theirRecord) {
          g.refs.update([{ ref, expect: null, value: theirs }]);
          result.created.push(ref);
        }
        continue;
      }
      // ours is a model version the remote does not have under this name (theirs is another
      // registration, or a tag of someone's that happens to look like one): ours moves up
      const remoteNumbers = tags.map(([t]) => parseVersionTag(t.slice(`${ns}tags/`.length))).filter((p) => p?.encoded === parsed.encoded).map((p) => p!.version);
      result.renumbered.push(renumber(client, ourRecord.record.name, parsed.version, ours!, theirs, remoteNumbers));
    }
    for (const [tmp, theirs] of fetched) {
      if (!tmp.startsWith(`${ns}records/`)) continue;
      const ref = `${RECORDS_PREFIX}${tmp.slice(`${ns}records/`.length)}`;
      const ours = g.refs.read(ref);
      if (ours === theirs) continue;
      if (!ours) {
        g.refs.update([{ ref, expect: null, value: theirs }]);
        result.created.push(ref);
      } else if (isAncestor(cwd, ours, theirs)) {
        g.refs.update([{ ref, expect: ours, value: theirs }]);
        result.updated.push(ref);
      } else if (!isAncestor(cwd, theirs, ours)) {
        mergeRecords(client, ref, ours, theirs);
        result.updated.push(ref);
      }
    }
  } finally {
    g.refs.update([...fetched.keys()].map((ref) => ({ ref, value: null })));
  }
  return result;
}

/** Moves our version `from` (tag `ours`) to the next number free on both sides, taking the remote's tag for `from`. */
function renumber(client: RegistryClient, name: string, from: number, ours: string, theirs: string, remoteNumbers: number[]): { name: string; from: number; to: number } {
  const g = client.store.git;
  const t = client.store.readVersionTag(ours)!;
  let to = Math.max(from, ...remoteNumbers) + 1;
  while (client.store.versionTagOid(name, to)) to++;
  const moved = client.store.writeVersionTag({ ...t.record, version: to, renumbered_from: t.record.renumbered_from ?? from }, t.commit);
  g.refs.update([
    { ref: tagRefOf(name, from), expect: ours, value: theirs },
    { ref: tagRefOf(name, to), expect: null, value: moved },
  ]);
  // recorded (history shows it) and local aliases on the old number follow the version
  client.store.change(name, (s) => ({ type: 'renumber_version', from, to, aliases: Object.keys(s?.aliases ?? {}).filter((a) => s!.aliases[a] === from) }));
  return { name, from, to };
}

/** Replays both sides' record changes since their merge base, in time order, into a merge commit. */
function mergeRecords(client: RegistryClient, ref: string, ours: string, theirs: string): void {
  const store = client.store;
  const g = store.git;
  const base = mergeBase(g.location.commonDir, ours, theirs);
  const seen = new Set<string>(base ? store.recordLog(base).map((c) => c.commit) : []);
  const events = new Map<string, StampedEvent & { commit: string }>();
  for (const head of [ours, theirs]) {
    for (const c of store.recordLog(head)) if (!seen.has(c.commit) && c.event) events.set(c.commit, { ...c.event, commit: c.commit });
  }
  const ordered = [...events.values()].sort((a, b) => a.at - b.at || a.commit.localeCompare(b.commit));
  const oursState = store.readState(ref, ours);
  let state: ModelState = base ? store.readState(ref, base) : emptyState(oursState.name, ordered[0]?.at ?? Date.now(), store.user);
  for (const e of ordered) {
    // a rename's first commit carries the whole state in its tree, not in its message
    state = e.event.type === 'rename_from' ? { ...store.readState(ref, e.commit) } : applyEvent(state, e);
  }
  const at = Date.now();
  const blobState = { ...state, last_updated_timestamp: Math.max(state.last_updated_timestamp, oursState.last_updated_timestamp) };
  const merge = store.writeRecordCommit(blobState, { merge: `merge the registry record of ${state.name} from the remote`, at }, [ours, theirs]);
  g.refs.update([{ ref, expect: ours, value: merge }]);
}

/**
 * Pushes model records and every model version tag. When the remote refuses (someone pushed the same
 * version number or moved the record first), pulls — renumbering our unpushed versions and merging
 * records — and pushes again.
 */
export function pushRegistry(client: RegistryClient, remote = 'origin'): RegistryPushResult {
  const g = client.store.git;
  const cwd = g.location.commonDir;
  const attempt = (): RegistryPushResult => {
    // only version tags the remote lacks (or has differently), and only git-ml's own: never the user's other tags
    const remoteTags = lsRemote(cwd, remote, ['--tags', '--refs', `${TAGS_PREFIX}*@v*`]);
    const tagged = [...g.refs.list(TAGS_PREFIX)].filter(([r, oid]) => parseVersionTag(r.slice(TAGS_PREFIX.length)) && remoteTags.get(r) !== oid && client.store.readVersionTag(oid));
    const refspecs = [...tagged.map(([t]) => `${t}:${t}`), `${RECORDS_PREFIX}*:${RECORDS_PREFIX}*`];
    // a version tag carries its run's commit and history: upload the LFS content they point to first
    // (nothing left to do when the runs went up with `push`: the walk stops at what the remote has)
    const warning = absentLfsWarning(g.uploadLfsObjects(remote, [...tagged.map(([, oid]) => oid), ...g.refs.list(RECORDS_PREFIX).values()]), remote);
    if (warning) process.stderr.write(warning);
    const pushed = new Set<string>();
    const rejected: { ref: string; reason: string }[] = [];
    // --atomic: a record never lands without the version tags it mentions (chunked only past 5000 tags)
    for (let i = Math.max(0, refspecs.length - 5000); ; i = Math.max(0, i - 5000)) {
      const chunk = refspecs.slice(i, i + 5000);
      const r = pushRefs(cwd, remote, ['--atomic', ...chunk]);
      r.pushed.forEach((ref) => pushed.add(ref));
      rejected.push(...r.rejected);
      if (i === 0) break;
    }
    return { pushed: [...pushed], rejected };
  };
  const first = attempt();
  if (first.rejected.length === 0) return first;
  const pulled = pullRegistry(client, remote);
  const second = attempt();
  return { pushed: [...new Set([...first.pushed, ...second.pushed])], rejected: second.rejected, pulled };
}

