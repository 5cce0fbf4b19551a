import type { GitStore } from '@git-ml/gitstore';
import { readAllJournals, type JournalLine, type JournalRead, type PositionedLine } from '../journal/journal.js';
import type { Metric } from '../model.js';
import { formatMetricLine, metricFileName, parseMetricLines, parseMetricValue } from './metric-lines.js';
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

type ByRun = Map<string, { journal: JournalRead; lines: PositionedLine[] }[]>;
const grouped = new WeakMap<JournalRead[], ByRun>();

/** Journal lines grouped by run, computed once per set of journals read. */
function byRun(journals: JournalRead[]): ByRun {
  let g = grouped.get(journals);
  if (g) return g;
  g = new Map();
  for (const j of journals) {
    const mine = new Map<string, PositionedLine[]>();
    for (const p of j.lines) {
      let l = mine.get(p.line.r);
      if (!l) mine.set(p.line.r, (l = []));
      l.push(p);
    }
    for (const [r, lines] of mine) {
      let list = g.get(r);
      if (!list) g.set(r, (list = []));
      list.push({ journal: j, lines });
    }
  }
  grouped.set(journals, g);
  return g;
}

/** Unfolded lines of `runId` in `journals`, given the fold offsets of the run's head commit. */
export function pendingLines(journals: JournalRead[], runId: string, offsets: Map<string, number>): RunView['pending'] {
  const out: RunView['pending'] = [];
  for (const { journal, lines } of byRun(journals).get(runId) ?? []) {
    const from = offsets.get(journal.writer) ?? 0;
    const fresh: JournalLine[] = [];
    for (const p of lines) if (p.start >= from) fresh.push(p.line);
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
export function readRunViewStable(git: GitStore, ref: string, runId: string): RunView {
  for (let i = 0; ; i++) {
    const head = git.refs.read(ref);
    const view = readRunView(git, ref, runId, head, readAllJournals(git.mlDir));
    if (git.refs.read(ref) === head || i >= 5) return view;
  }
}

/**
 * One metric's full history without reading the rest of the run: the committed `metrics/<key>`
 * blob plus that key's unfolded journal lines.
 */
export function readMetricHistoryOnly(git: GitStore, ref: string, runId: string, key: string): Metric[] {
  for (let i = 0; ; i++) {
    const head = git.refs.read(ref);
    const journals = readAllJournals(git.mlDir);
    let text = '';
    let offsets = new Map<string, number>();
    if (head) {
      const commit = git.objects.readCommit(head);
      offsets = parseOffsets(commit.message);
      const metrics = git.objects.readTree(commit.tree).find((e) => e.name === 'metrics');
      const file = metrics && git.objects.readTree(metrics.oid).find((e) => e.name === metricFileName(key));
      if (file) text = git.objects.readBlob(file.oid).toString('utf8');
    }
    for (const p of pendingLines(journals, runId, offsets)) {
      for (const l of p.lines) {
        if (l.op === 'm' && l.k === key) text += formatMetricLine({ value: typeof l.v === 'number' ? l.v : parseMetricValue(l.v), timestamp: l.t, step: l.s });
      }
    }
    if (git.refs.read(ref) === head || i >= 5) return parseMetricLines(key, text);
  }
}
