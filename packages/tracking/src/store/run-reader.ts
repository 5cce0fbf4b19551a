import type { GitStore } from '@git-ml/gitstore';
import type { JournalCache, JournalLine, JournalRead } from '../journal/journal.js';
import { CorruptRecordError } from '../errors.js';
import { chunkEntries } from './metric-series.js';
import type { Metric } from '../model.js';
import { metricFileName, parseMetricLines, parseMetricValue } from './metric-lines.js';
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

/** Unfolded lines of `runId` in `journals`, given the fold offsets of the run's head commit. */
export function pendingLines(journals: JournalRead[], runId: string, offsets: Map<string, number>): RunView['pending'] {
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

/**
 * Reads a run as it is right now: the record on its ref plus every journal line not yet folded
 * into it (the head commit's trailers say how far each journal was folded).
 */
export function readRunView(git: GitStore, ref: string, runId: string, head: string | null, journals: JournalRead[]): RunView {
  const base = head ? readRunRecord(git, ref, head) : null;
  const offsets = head ? parseOffsets(git.objects.readCommit(head).message) : new Map<string, number>();
  const pending = pendingLines(journals, runId, offsets);
  let state = base;
  if (!state) {
    for (const p of pending) {
      const create = p.lines.find((e) => e.op === 'create');
      if (create && create.op === 'create') {
        state = newRunState(create);
        break;
      }
    }
  }
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

/**
 * One metric's full history without reading the rest of the run: the committed chunks (or the
 * format-1 file) of `metrics/<key>` plus that key's unfolded journal lines.
 */
export function readMetricHistoryOnly(git: GitStore, ref: string, runId: string, key: string, journals: JournalCache): Metric[] {
  for (let i = 0; ; i++) {
    const head = git.refs.read(ref);
    const all = journals.readAll();
    let offsets = new Map<string, number>();
    const points: Metric[] = [];
    const parse = (file: string, text: string) => {
      try {
        for (const p of parseMetricLines(key, text)) points.push(p);
      } catch (cause) {
        throw new CorruptRecordError(ref, file, (cause as Error).message, { cause });
      }
    };
    if (head) {
      const commit = git.objects.readCommit(head);
      offsets = parseOffsets(commit.message);
      const metrics = git.objects.readTree(commit.tree).find((e) => e.name === 'metrics');
      const file = metrics && git.objects.readTree(metrics.oid).find((e) => e.name === metricFileName(key));
      const dir = `metrics/${metricFileName(key)}`;
      if (file?.mode === '40000') {
        for (const e of chunkEntries(git.objects.read(file.oid).data, file.oid)) parse(`${dir}/${e.name}`, git.objects.readBlob(e.oid).toString('utf8'));
      } else if (file) parse(dir, git.objects.readBlob(file.oid).toString('utf8'));
    }
    for (const p of pendingLines(all, runId, offsets)) {
      for (const l of p.lines) {
        if (l.op === 'm' && l.k === key) points.push({ key, value: typeof l.v === 'number' ? l.v : parseMetricValue(l.v), timestamp: l.t, step: l.s });
      }
    }
    if (git.refs.read(ref) === head || i >= 5) return points;
  }
}
