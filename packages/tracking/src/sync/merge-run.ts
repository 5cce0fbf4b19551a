import type { RunState } from '../store/run-state.js';
import { decodeTree, encodeTree, type GitStore, type TreeEntry } from '@git-ml/gitstore';
import type { ObjectSink } from '../store/object-sink.js';
import { parseMetricLines } from '../store/metric-lines.js';
import { committedText, seriesFromPoints } from '../store/metric-series.js';

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);

export type Prefer = 'ours' | 'theirs' | undefined;

function mergeMap(base: Map<string, string> | undefined, ours: Map<string, string>, theirs: Map<string, string>, onConflict: (k: string, a: string, b: string) => string | null): Map<string, string> {
  const out = new Map<string, string>();
  const keys = new Set([...ours.keys(), ...theirs.keys()]);
  for (const k of keys) {
    const o = ours.get(k);
    const t = theirs.get(k);
    const b = base?.get(k);
    if (o === t) {
      if (o !== undefined) out.set(k, o);
    } else if (o === b) {
      if (t !== undefined) out.set(k, t);
    } else if (t === b) {
      if (o !== undefined) out.set(k, o);
    } else if (o === undefined || t === undefined) {
      out.set(k, (o ?? t)!);
    } else {
      const v = onConflict(k, o, t);
      if (v !== null) out.set(k, v);
    }
  }
  return out;
}

function mergeMetricText(base: string, ours: string, theirs: string): string {
  if (ours.startsWith(base) && theirs.startsWith(base)) return ours + theirs.slice(base.length);
  const seen = new Set(ours.split('\n'));
  return ours + theirs.split('\n').filter((l) => l && !seen.has(l)).map((l) => `${l}\n`).join('');
}

function mergeTrees(git: GitStore, sink: ObjectSink, ours: string | null, theirs: string | null): string | null {
  if (!ours || ours === theirs) return ours ?? theirs;
  if (!theirs) return ours;
  const a = new Map(decodeTree(sink.read(ours).data).map((e) => [e.name, e]));
  for (const e of decodeTree(sink.read(theirs).data)) {
    const mine = a.get(e.name);
    if (!mine) a.set(e.name, e);
    else if (mine.mode === '40000' && e.mode === '40000') a.set(e.name, { ...mine, oid: mergeTrees(git, sink, mine.oid, e.oid)! });
  }
  return sink.add('tree', encodeTree([...a.values()] as TreeEntry[]));
}

/**
 * Three-way merge of a run changed in two clones: params and tags merge by key against the common
 * ancestor, metric histories are the union of both, artifacts the union of both trees, and a
 * terminal status wins over RUNNING. A param with two different values is a true conflict:
 * resolved by `prefer`, or reported (returned in `conflicts`) and the run left as it was.
 */
export function mergeRunStates(
  git: GitStore,
  sink: ObjectSink,
  base: RunState | null,
  ours: RunState,
  theirs: RunState,
  oursNewer: boolean,
  prefer: Prefer,
): { state: RunState; conflicts: string[] } {
  const conflicts: string[] = [];
  const params = mergeMap(base?.params, ours.params, theirs.params, (k, a, b) => {
    if (prefer === 'ours') return a;
    if (prefer === 'theirs') return b;
    conflicts.push(`param '${k}' is '${a}' here and '${b}' on the remote`);
    return a;
  });
  const tags = mergeMap(base?.tags, ours.tags, theirs.tags, (_k, a, b) => (prefer === 'theirs' || (!prefer && !oursNewer) ? b : a));
  const newer = oursNewer ? ours : theirs;
  const info = { ...newer.info };
  const ends = [ours, theirs].filter((s) => TERMINAL.has(s.info.status));
  if (!TERMINAL.has(info.status) && ends.length > 0) info.status = ends[0].info.status;
  info.end_time = Math.max(ours.info.end_time ?? 0, theirs.info.end_time ?? 0) || null;
  info.start_time = Math.min(ours.info.start_time, theirs.info.start_time);
  const metrics = new Map(ours.metrics);
  const read = (oid: string) => sink.read(oid).data;
  for (const [k, m] of theirs.metrics) {
    const mine = ours.metrics.get(k);
    if (!mine) metrics.set(k, m);
    else if (mine.committed?.oid !== m.committed?.oid || mine.appended !== m.appended) {
      const text = mergeMetricText(committedText(read, base?.metrics.get(k)?.committed ?? null), committedText(read, mine.committed) + mine.appended, committedText(read, m.committed) + m.appended);
      // written afresh in chunks (any format in, format 2 out)
      metrics.set(k, seriesFromPoints(parseMetricLines(k, text), null));
    }
  }
  const state: RunState = {
    info,
    source: ours.source ?? theirs.source,
    params,
    tags,
    metrics,
    artifactsTree: mergeTrees(git, sink, ours.artifactsTree, theirs.artifactsTree),
    artifactAdds: [],
    conflicts: [],
  };
  return { state, conflicts };
}
