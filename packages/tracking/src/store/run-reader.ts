import { basename } from 'node:path';
import type { GitStore } from '@git-ml/gitstore';
import { listRunJournals, readJournal, type JournalHeader } from '../journal/journal.js';
import { parseOffsets } from './refs-layout.js';
import { readRunRecord } from './run-record.js';
import { applyEntry, newRunState, type Entry, type RunState } from './run-state.js';

export interface JournalSlice {
  path: string;
  writer: string;
  header: JournalHeader | null;
  entries: Entry[];
  end: number;
}

export interface RunView {
  state: RunState | null;
  head: string | null;
  offsets: Map<string, number>;
  journals: JournalSlice[];
}

/**
 * Reads a run as it is right now: the record on its ref plus every journal line not yet folded
 * into it (the head commit's trailers say how far each journal was folded).
 */
export function readRunView(git: GitStore, ref: string, runId: string, head = git.refs.read(ref)): RunView {
  const base = head ? readRunRecord(git, ref, head) : null;
  const offsets = head ? parseOffsets(git.objects.readCommit(head).message) : new Map<string, number>();
  const journals: JournalSlice[] = [];
  for (const path of listRunJournals(git.mlDir, runId)) {
    const writer = basename(path, '.jsonl');
    const r = readJournal(path, offsets.get(writer) ?? 0);
    if (r) journals.push({ path, writer, header: r.header, entries: r.entries, end: r.end });
  }
  let state = base;
  if (!state) {
    for (const j of journals) {
      const create = j.entries.find((e) => e.op === 'create');
      if (create && create.op === 'create') {
        state = newRunState(create);
        break;
      }
    }
  }
  if (state) for (const j of journals) for (const e of j.entries) applyEntry(state, e);
  return { state, head, offsets, journals };
}

/** Repeats `readRunView` until the ref did not move while reading (a fold may delete journal files). */
export function readRunViewStable(git: GitStore, ref: string, runId: string): RunView {
  for (let i = 0; ; i++) {
    const view = readRunView(git, ref, runId);
    if (git.refs.read(ref) === view.head || i >= 5) return view;
  }
}
