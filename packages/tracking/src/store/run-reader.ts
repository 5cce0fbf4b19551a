import type { GitStore } from '@git-ml/gitstore';
import type { JournalCache, JournalLine, JournalRead } from '../journal/journal.js';
import { CorruptRecordError } from '../errors.js';
import { CHUNK_POINTS, chunkEntries } from './metric-series.js';
import { columnCacheOf } from './column-cache.js';
import type { Metric } from '../model.js';
import { metricFileName, parseMetricColumns, parseMetricValue, type MetricColumns } from './metric-lines.js';
import { parseOffsets } from './refs-layout.js';
import { readRunRecord } from './run-record.js';
import { applyEntry, newRunState, type RunState } from './run-state.js';

export interface RunView {
  state: RunState | null;
  head: string | null;
  /** how far each journal was folded into `head` */
  offsets: Map<string, number>;
  /** the unfolded lines of this run, journal by journal */
  pending: { journal: JournalRead; lines: JournalLine[] }[];
}

/** Fold offsets recorded in each commit, parsed once per process (a commit never changes). Read-only. */
const offsetsMemo = new Map<string, Map<string, number>>();

/** The `Git-ml-journal` offsets a run commit records (shared, not to be changed by the caller). */
export function commitOffsets(git: GitStore, commit: string): ReadonlyMap<string, number> {
  let offsets = offsetsMemo.get(commit);
  if (!offsets) {
    offsets = parseOffsets(git.objects.readCommit(commit).message);
    if (offsetsMemo.size >= 10_000) offsetsMemo.clear();
    offsetsMemo.set(commit, offsets);
  }
  return offsets;
}

/** Unfolded lines of `runId` in `journals`, given the fold offsets of the run's head commit. */
export function pendingLines(journals: JournalRead[], runId: string, offsets: ReadonlyMap<string, number>): RunView['pending'] {
  const out: RunView['pending'] = [];
  for (const journal of journals) {
    const lines = journal.byRun.get(runId);
    if (!lines) continue;
    const from = offsets.get(journal.writer) ?? 0;
    // lines are in file order: find the first unfolded one by bisection
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid].start < from) lo = mid + 1;
      else hi = mid;
    }
    const fresh: JournalLine[] = [];
    for (let i = lo; i < lines.length && lines[i].start < journal.end; i++) fresh.push(lines[i].line);
    if (fresh.length > 0) out.push({ journal, lines: fresh });
  }
  return out;
}

/** A run without a record starts at its create line (the first, in journal order), or does not exist yet. */
export function stateFromCreate(pending: RunView['pending']): RunState | null {
  for (const p of pending) {
    const create = p.lines.find((e) => e.op === 'create');
    if (create && create.op === 'create') return newRunState(create);
  }
  return null;
}

/**
 * Reads a run as it is right now: the record on its ref plus every journal line not yet folded
 * into it (the head commit's trailers say how far each journal was folded).
 */
export function readRunView(git: GitStore, ref: string, runId: string, head: string | null, journals: JournalRead[]): RunView {
  const base = head ? readRunRecord(git, ref, head) : null;
  const offsets = head ? parseOffsets(git.objects.readCommit(head).message) : new Map<string, number>();
  const pending = pendingLines(journals, runId, offsets);
  const state = base ?? stateFromCreate(pending);
  if (state) for (const p of pending) for (const e of p.lines) applyEntry(state, e);
  return { state, head, offsets, pending };
}

/** Reads ref then journals, and repeats if the ref moved meanwhile (a fold may have removed a journal). */
export function readRunViewStable(git: GitStore, ref: string, runId: string, journals: JournalCache): RunView {
  for (let i = 0; ; i++) {
    const head = git.refs.read(ref);
    const view = readRunView(git, ref, runId, head, journals.readAll());
    if (git.refs.read(ref) === head || i >= 5) return view;
  }
}

/** The committed blobs holding `key`'s history at `head` (chunks in order, or the format-1 file). */
function committedMetricBlobs(git: GitStore, head: string, key: string): { offsets: Map<string, number>; blobs: { path: string; oid: string }[] } {
  const commit = git.objects.readCommit(head);
  const offsets = parseOffsets(commit.message);
  const metrics = git.objects.readTree(commit.tree).find((e) => e.name === 'metrics');
  const file = metrics && git.objects.readTree(metrics.oid).find((e) => e.name === metricFileName(key));
  const dir = `metrics/${metricFileName(key)}`;
  if (file?.mode === '40000') return { offsets, blobs: chunkEntries(git.objects.read(file.oid).data, file.oid).map((e) => ({ path: `${dir}/${e.name}`, oid: e.oid })) };
  return { offsets, blobs: file ? [{ path: dir, oid: file.oid }] : [] };
}

/**
 * One metric's full history without reading the rest of the run: the committed chunks (or the
 * format-1 file) of `metrics/<key>` plus that key's unfolded journal lines, as `Metric` objects
 * (built from `readMetricColumns`, so committed chunks are parsed once per process).
 */
export function readMetricHistoryOnly(git: GitStore, ref: string, runId: string, key: string, journals: JournalCache): Metric[] {
  const { step, timestamp, value } = readMetricColumns(git, ref, runId, key, journals);
  const points = new Array<Metric>(value.length);
  for (let i = 0; i < value.length; i++) points[i] = { key, value: value[i], timestamp: timestamp[i], step: step[i] };
  return points;
}

/** Parsed chunks by blob id (immutable, so never stale), bounded by the points they hold. */
const chunkCache = new Map<string, MetricColumns>();
const CHUNK_CACHE_POINTS = 4_000_000;
let chunkCachePoints = 0;

function cachedColumns(oid: string, parse: () => MetricColumns): MetricColumns {
  const hit = chunkCache.get(oid);
  if (hit) {
    chunkCache.delete(oid);
    chunkCache.set(oid, hit);
    return hit;
  }
  const cols = parse();
  chunkCache.set(oid, cols);
  chunkCachePoints += cols.value.length;
  for (const [k, v] of chunkCache) {
    if (chunkCachePoints <= CHUNK_CACHE_POINTS) break;
    chunkCache.delete(k);
    chunkCachePoints -= v.value.length;
  }
  return cols;
}

/** A committed chunk's points: from the on-disk column cache, else parsed (and cached when full). */
function chunkColumns(git: GitStore, oid: string): MetricColumns {
  const disk = columnCacheOf(git);
  const hit = disk.get(oid);
  if (hit) return hit;
  const blob = git.objects.readBlob(oid);
  const cols = parseMetricColumns(blob.toString('utf8'));
  // only full chunks are final; an open one is replaced by the next fold
  if (cols.value.length === CHUNK_POINTS) disk.put(oid, blob.length, cols);
  return cols;
}

/**
 * One metric's history as three columns of numbers: the committed chunks (or the format-1 file) of
 * `metrics/<key>` — each parsed once per process, kept by blob id up to 4 million points — then that
 * key's unfolded journal lines. Reads ref, then journals, and repeats if the ref moved meanwhile (a
 * fold may have removed a journal).
 */
export function readMetricColumns(git: GitStore, ref: string, runId: string, key: string, journals: JournalCache): MetricColumns {
  for (let i = 0; ; i++) {
    const head = git.refs.read(ref);
    const all = journals.readAll();
    let offsets = new Map<string, number>();
    const parts: MetricColumns[] = [];
    if (head) {
      const committed = committedMetricBlobs(git, head, key);
      offsets = committed.offsets;
      for (const b of committed.blobs) {
        try {
          parts.push(cachedColumns(b.oid, () => chunkColumns(git, b.oid)));
        } catch (cause) {
          throw new CorruptRecordError(ref, b.path, (cause as Error).message, { cause });
        }
      }
    }
    const tail: Metric[] = [];
    for (const p of pendingLines(all, runId, offsets)) {
      for (const l of p.lines) {
        if (l.op === 'm' && l.k === key) tail.push({ key, value: typeof l.v === 'number' ? l.v : parseMetricValue(l.v), timestamp: l.t, step: l.s });
      }
    }
    if (git.refs.read(ref) === head || i >= 5) return concatColumns(parts, tail);
  }
}

function concatColumns(parts: MetricColumns[], tail: Metric[]): MetricColumns {
  const n = parts.reduce((sum, p) => sum + p.value.length, 0) + tail.length;
  const out = { step: new Float64Array(n), timestamp: new Float64Array(n), value: new Float64Array(n) };
  let at = 0;
  for (const p of parts) {
    out.step.set(p.step, at);
    out.timestamp.set(p.timestamp, at);
    out.value.set(p.value, at);
    at += p.value.length;
  }
  for (const m of tail) {
    out.step[at] = m.step;
    out.timestamp[at] = m.timestamp;
    out.value[at] = m.value;
    at++;
  }
  return out;
}
