import type { MlClient } from '../client.js';
import { storeOf } from '../client-internals.js';
import { EXPERIMENTS_PREFIX, RUNS_PREFIX, formatOffsets, oneLine, parseOffsets } from '../store/refs-layout.js';
import { readRunRecord, writeRunRecord } from '../store/run-record.js';
import { ObjectSink } from '../store/object-sink.js';
import { absentLfsWarning, fetchRefs, isAncestor, mergeBase, pushRefs } from '@git-ml/gitstore';
import { mergeRunStates, type Prefer } from './merge-run.js';
import { mergeExperiments } from './merge-experiment.js';

export interface PullResult {
  created: string[];
  updated: string[];
  merged: string[];
  conflicts: { ref: string; message: string }[];
  upToDate: boolean;
}

export interface PushResult {
  pushed: string[];
  rejected: { ref: string; reason: string }[];
}

const SYNC_NS = 'refs/ml-sync/';
/** Tracking pushes runs and experiments; the registry (`refs/ml/registry/`, version tags) syncs itself. */
const PUSH_REFSPECS = [`${RUNS_PREFIX}*:${RUNS_PREFIX}*`, `${EXPERIMENTS_PREFIX}*:${EXPERIMENTS_PREFIX}*`];

function cwdOf(client: MlClient): string {
  return storeOf(client).git.location.commonDir;
}

/**
 * Fetches the remote's runs and experiments and merges them into the local refs: new refs are
 * created, fast-forwards applied, and runs changed on both sides merged (see `mergeRunStates`).
 * Uses the user's git for transport (isomorphic-git over http(s) when git is not installed); the fetched refs live under `refs/ml-sync/` only while merging.
 */
export function pull(client: MlClient, remote = 'origin', options: { prefer?: Prefer } = {}): PullResult {
  client.flush();
  const store = storeOf(client);
  const cwd = cwdOf(client);
  const ns = `${SYNC_NS}${remote.replace(/[^\w.-]/g, '_')}/`;
  fetchRefs(cwd, remote, [`+${RUNS_PREFIX}*:${ns}runs/*`, `+${EXPERIMENTS_PREFIX}*:${ns}experiments/*`]);
  const fetched = store.git.refs.list(ns);
  const result: PullResult = { created: [], updated: [], merged: [], conflicts: [], upToDate: true };
  try {
    for (const [tmpRef, theirs] of fetched) {
      const ref = `refs/ml/${tmpRef.slice(ns.length)}`;
      if (!ref.startsWith(RUNS_PREFIX) && !ref.startsWith(EXPERIMENTS_PREFIX)) continue;
      // a process of this clone may fold into the run meanwhile: then look again (CAS refused the move)
      for (let attempt = 0; ; attempt++) {
        try {
          syncRef(client, cwd, ref, theirs, options.prefer, result);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== 'REF_CONFLICT' || attempt >= 20) throw err;
        }
      }
    }
  } finally {
    store.git.refs.update([...fetched.keys()].map((ref) => ({ ref, value: null })));
  }
  return result;
}

/** Creates, fast-forwards, keeps or merges one local ref against the remote's commit. */
function syncRef(client: MlClient, cwd: string, ref: string, theirs: string, prefer: Prefer, result: PullResult): void {
  const store = storeOf(client);
  const ours = store.git.refs.read(ref);
  if (ours === theirs) return;
  if (!ours) {
    store.git.refs.update([{ ref, expect: null, value: theirs }]);
    result.upToDate = false;
    result.created.push(ref);
  } else if (isAncestor(cwd, ours, theirs)) {
    store.git.refs.update([{ ref, expect: ours, value: theirs }]);
    result.upToDate = false;
    result.updated.push(ref);
  } else if (!isAncestor(cwd, theirs, ours)) {
    const merged = mergeRef(client, ref, ours, theirs, prefer);
    result.upToDate = false;
    if (typeof merged === 'string') result.conflicts.push({ ref, message: merged });
    else result.merged.push(ref);
  }
}

function mergeRef(client: MlClient, ref: string, ours: string, theirs: string, prefer: Prefer): true | string {
  const store = storeOf(client);
  const g = store.git;
  const baseOid = mergeBase(cwdOf(client), ours, theirs);
  const sink = new ObjectSink(g);
  const oursTime = g.objects.readCommit(ours).committer.timestamp;
  const theirsTime = g.objects.readCommit(theirs).committer.timestamp;
  let commit: string;
  if (ref.startsWith(EXPERIMENTS_PREFIX)) {
    commit = mergeExperiments(g, sink, ref, baseOid, ours, theirs, store.author);
  } else {
    const base = baseOid ? safeRead(g, ref, baseOid) : null;
    const { state, conflicts } = mergeRunStates(g, sink, base, readRunRecord(g, ref, ours), readRunRecord(g, ref, theirs), oursTime >= theirsTime, prefer);
    if (conflicts.length > 0) {
      return `${conflicts.join('; ')}. Kept the local run unchanged. Re-run with \`git-ml pull --prefer ours\` (keep local values) or \`--prefer theirs\` (take the remote's).`;
    }
    // the merge holds every journal line either side held: keep both sides' fold offsets, or live
    // processes' lines would be folded a second time (duplicated points, reverted tags)
    const offsets = parseOffsets(g.objects.readCommit(ours).message);
    for (const [w, off] of parseOffsets(g.objects.readCommit(theirs).message)) offsets.set(w, Math.max(offsets.get(w) ?? 0, off));
    commit = writeRunRecord(g, sink, state, [ours, theirs], `git-ml: merge run ${oneLine(state.info.run_name)} from the remote\n\n${formatOffsets(offsets)}`, store.author);
  }
  try {
    sink.flush();
    g.refs.update([{ ref, expect: ours, value: commit }]);
    sink.settle();
  } finally {
    sink.discard();
  }
  return true;
}

function safeRead(g: MlClient['store']['git'], ref: string, oid: string) {
  try {
    return readRunRecord(g, ref, oid);
  } catch {
    // the merge base may be the source commit (no run record): merge two-way
    return null;
  }
}

/**
 * Pushes every run and experiment. Refs the remote has moved are pulled and merged first, then
 * pushed again, so a push never overwrites anybody's results.
 */
export function push(client: MlClient, remote = 'origin', options: { prefer?: Prefer } = {}): PushResult & { pulled?: PullResult } {
  client.flush();
  const cwd = cwdOf(client);
  const git = storeOf(client).git;
  // LFS content first, as git-lfs's pre-push hook does: the remote never holds a pointer without it
  let warned = false;
  const upload = () => {
    const walk = git.uploadLfsObjects(remote, [...git.refs.list(RUNS_PREFIX).values(), ...git.refs.list(EXPERIMENTS_PREFIX).values()]);
    const warning = warned ? null : absentLfsWarning(walk, remote);
    if (warning) process.stderr.write(warning);
    warned ||= warning !== null;
  };
  const attempt = () => (upload(), pushRefs(cwd, remote, PUSH_REFSPECS));
  const first = attempt();
  if (first.rejected.length === 0) return first;
  const pulled = pull(client, remote, options);
  const second = attempt();
  return { pushed: [...first.pushed, ...second.pushed], rejected: second.rejected, pulled };
}
