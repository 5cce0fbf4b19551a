import type { GitStore, RefTransaction } from '@git-ml/gitstore';
import type { JournalRead } from '../journal/journal.js';
import { ObjectSink } from './object-sink.js';
import { formatOffsets, oneLine } from './refs-layout.js';
import { readRunView, type RunView } from './run-reader.js';
import { writeRunRecord } from './run-record.js';
import { applyEntry, type RunState } from './run-state.js';

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);

/** What folding needs from the store that runs it. */
export interface FoldContext {
  git: GitStore;
  author: { name: string; email: string };
  /** the ref of a run, or null if no ref or journal names it */
  refOf(runId: string, journals: JournalRead[]): string | null;
  /** called once a run's fold landed (its ref moved) */
  folded(runId: string, state: RunState): void;
  /** called when a run cannot be folded now; its lines stay in the journal */
  unfoldable(runId: string, why: string, code?: string): void;
  /** source commits known to exist, so a run's first commit can take them as parent */
  hasCommit(oid: string): boolean;
  /** this clone's id: the prefix of its journal writers' names */
  cloneId: string;
}

export function commitMessage(s: RunState, offsets: Map<string, number>): string {
  const conflicts = s.conflicts.map((c) => `Conflict: ${oneLine(c)}\n`).join('');
  return `git-ml: run ${oneLine(s.info.run_name)} (${s.info.status})\n\nRun ${s.info.run_id} in experiment ${s.info.experiment_id}.\n${conflicts}\n${formatOffsets(offsets)}`;
}

function parentsOf(ctx: FoldContext, s: RunState): string[] {
  return s.source?.commit && ctx.hasCommit(s.source.commit) ? [s.source.commit] : [];
}

/**
 * Offsets the new commit records: the head's, moved past every line folded now. This clone's
 * writers whose journal is gone are dropped (nothing of theirs is left to fold); other clones'
 * writers are kept — their processes may still be logging there, and once this commit travels back
 * (a pull that fast-forwards) their lines must not be folded a second time.
 */
function nextOffsets(view: RunView, journals: JournalRead[], cloneId: string): Map<string, number> {
  const offsets = new Map(view.offsets);
  for (const p of view.pending) offsets.set(p.journal.writer, Math.max(offsets.get(p.journal.writer) ?? 0, p.journal.end));
  const live = new Set(journals.map((j) => j.writer));
  const ours = (w: string) => w.startsWith(`${cloneId}-`) || !/^[0-9a-f]{8}-/.test(w);
  for (const w of offsets.keys()) if (!live.has(w) && ours(w)) offsets.delete(w);
  return offsets;
}

/**
 * Folds each run's unfolded lines into one new commit per run. All objects of the batch are
 * written (as one pack when there are more than a handful) before any ref moves; each ref moves
 * under its lock, and the objects are checked again once the refs point at them.
 * `orphans`: runs whose owning process died, with the time to end them at if still RUNNING.
 */
export function foldBatch(ctx: FoldContext, runIds: string[], journals: JournalRead[], orphans: Map<string, number>): void {
  const sink = new ObjectSink(ctx.git);
  const txs: { tx: RefTransaction; ref: string; commit: string; runId: string; state: RunState }[] = [];
  try {
    for (const runId of runIds) {
      let tx: RefTransaction | null = null;
      try {
        const ref = ctx.refOf(runId, journals);
        if (!ref) {
          ctx.unfoldable(runId, 'no ref and no journal line creates it (its ref was deleted?)');
          continue;
        }
        tx = ctx.git.refs.transaction();
        const head = tx.lock(ref);
        const view = readRunView(ctx.git, ref, runId, head, journals);
        if (!view.state) {
          tx.release();
          ctx.unfoldable(runId, `${ref} does not exist and no journal line creates it`);
          continue;
        }
        const orphanedAt = orphans.get(runId);
        const killed = orphanedAt !== undefined && view.state.info.status === 'RUNNING';
        if (killed) applyEntry(view.state, { op: 'u', status: 'KILLED', end_time: orphanedAt || Date.now() });
        if (view.pending.length === 0 && !killed) {
          tx.release();
          ctx.folded(runId, view.state);
          continue;
        }
        const s = view.state;
        const parents = head ? [head] : parentsOf(ctx, s);
        txs.push({ tx, ref, commit: writeRunRecord(ctx.git, sink, s, parents, commitMessage(s, nextOffsets(view, journals, ctx.cloneId)), ctx.author), runId, state: s });
      } catch (err) {
        // one unreadable run must not stop the others; its lines stay in the journal
        tx?.release();
        ctx.unfoldable(runId, (err as Error).message, (err as { code?: string }).code);
      }
    }
    sink.flush();
    for (const t of txs) {
      t.tx.set(t.ref, t.commit);
      t.tx.commit();
    }
    sink.settle();
    for (const t of txs) {
      for (const c of t.state.conflicts) process.stderr.write(`git-ml: warning: run ${t.runId}: ${oneLine(c)}\n`);
      ctx.folded(t.runId, t.state);
    }
  } finally {
    for (const t of txs) t.tx.release();
    sink.discard();
  }
}

/**
 * First fold of many runs created here: their refs are created together in one packed write (gitstore's `createPacked`)
 * rather than a lock file per ref (the expensive part on most file systems).
 */
export function createFresh(ctx: FoldContext, runs: { runId: string; ref: string }[], journals: JournalRead[]): void {
  const sink = new ObjectSink(ctx.git);
  const refs = new Map<string, string>();
  const done: { runId: string; state: RunState }[] = [];
  for (const { runId, ref } of runs) {
    const view = readRunView(ctx.git, ref, runId, null, journals);
    if (!view.state) continue;
    const offsets = new Map<string, number>();
    for (const p of view.pending) offsets.set(p.journal.writer, p.journal.end);
    refs.set(ref, writeRunRecord(ctx.git, sink, view.state, parentsOf(ctx, view.state), commitMessage(view.state, offsets), ctx.author));
    done.push({ runId, state: view.state });
  }
  try {
    sink.flush();
    ctx.git.refs.createPacked(refs);
    sink.settle();
  } finally {
    sink.discard();
  }
  for (const d of done) ctx.folded(d.runId, d.state);
}
