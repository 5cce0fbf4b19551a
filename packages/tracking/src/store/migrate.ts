import type { RefTransaction } from '@git-ml/gitstore';
import { ObjectSink } from './object-sink.js';
import { formatOffsets, oneLine, parseOffsets, RUNS_PREFIX } from './refs-layout.js';
import { readRunRecord, RUN_FORMAT, writeRunRecord } from './run-record.js';
import type { TrackingStore } from './tracking-store.js';

export interface MigrateResult {
  /** runs rewritten in the current format */
  converted: string[];
  /** runs already in the current format */
  current: number;
  /** runs that could not be converted, with the reason (they stay readable as they are) */
  failed: { ref: string; message: string }[];
}

/** Runs converted per batch: their objects go into one pack, their refs move together. */
const BATCH = 128;

function formatOf(store: TrackingStore, head: string): string | null {
  const c = store.git.objects.readCommit(head);
  const runYaml = store.git.objects.readTree(c.tree).find((e) => e.name === 'run.yaml');
  if (!runYaml) return null;
  return /^format: "?([^"\n]+)"?$/m.exec(store.git.objects.readBlob(runYaml.oid).toString('utf8'))?.[1] ?? null;
}

/**
 * Rewrites every run whose head is in an older run format (format 1: whole-history metric files)
 * in the current one, as a new commit on the run's ref (history kept; the journal offsets of the
 * head are carried over). Idempotent: runs already current are skipped. Safe beside running
 * processes: each ref moves under its lock with compare-and-swap.
 */
export function migrateRuns(store: TrackingStore, onProgress?: (done: number, total: number) => void): MigrateResult {
  const result: MigrateResult = { converted: [], current: 0, failed: [] };
  const refs = [...store.git.refs.list(RUNS_PREFIX)];
  let done = 0;
  for (let i = 0; i < refs.length; i += BATCH) {
    const sink = new ObjectSink(store.git);
    const txs: { tx: RefTransaction; ref: string; commit: string }[] = [];
    try {
      for (const [ref] of refs.slice(i, i + BATCH)) {
        const tx = store.git.refs.transaction();
        try {
          const head = tx.lock(ref);
          if (!head || formatOf(store, head) === RUN_FORMAT) {
            tx.release();
            result.current++;
            continue;
          }
          const state = readRunRecord(store.git, ref, head);
          const offsets = parseOffsets(store.git.objects.readCommit(head).message);
          const message = `git-ml: convert run ${oneLine(state.info.run_name)} to ${RUN_FORMAT}\n\nRun ${state.info.run_id} in experiment ${state.info.experiment_id}.\n\n${formatOffsets(offsets)}`;
          txs.push({ tx, ref, commit: writeRunRecord(store.git, sink, state, [head], message, store.author) });
        } catch (err) {
          tx.release();
          result.failed.push({ ref, message: (err as Error).message });
        }
      }
      sink.flush();
      for (const t of txs) {
        t.tx.set(t.ref, t.commit);
        t.tx.commit();
        result.converted.push(t.ref);
      }
      sink.settle();
    } finally {
      for (const t of txs) t.tx.release();
      sink.discard();
    }
    done = Math.min(refs.length, i + BATCH);
    onProgress?.(done, refs.length);
  }
  return result;
}
