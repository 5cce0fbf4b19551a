import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GitStore, type RefTransaction } from '@git-ml/gitstore';
import { NotFoundError } from '../errors.js';
import { JournalWriter, listJournalRuns, listRunJournals, readJournal, removeJournalFile } from '../journal/journal.js';
import { isAlive, thisProcess } from '../journal/process-identity.js';
import { readPackedRunRef } from './packed-run-ref.js';
import { ExperimentStore } from './experiments.js';
import { gitIdentity } from './identity.js';
import { ObjectSink } from './object-sink.js';
import { formatOffsets, RUNS_PREFIX, runRef } from './refs-layout.js';
import { readRunView, readRunViewStable, type RunView } from './run-reader.js';
import { writeRunRecord } from './run-record.js';
import { applyEntry, newRunState, type Entry, type RunState } from './run-state.js';

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);
/** Refs locked at once while folding a batch; stays well under the usual 1024 open files. */
const FOLD_CHUNK = 128;

interface OwnRun {
  ref: string;
  journal: JournalWriter;
  /** this process's view, used to check write-once params without re-reading */
  state: RunState;
}

const openStores = new Set<TrackingStore>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const s of openStores) {
      try {
        s.close();
      } catch (err) {
        process.stderr.write(`git-ml: could not fold pending changes at exit (they stay in .git/ml/journal and are folded next time): ${(err as Error).message}\n`);
      }
    }
  });
}

/**
 * The engine under `MlClient`: journals every change, folds journals into run commits, reads runs
 * back (committed record + unfolded journal lines), and recovers what dead processes left behind.
 */
export class TrackingStore {
  readonly git: GitStore;
  readonly experiments: ExperimentStore;
  readonly author: { name: string; email: string };
  private own = new Map<string, OwnRun>();
  private dirty = new Set<string>();
  private foldTimer: NodeJS.Immediate | null = null;
  private refCache = new Map<string, string>();
  private proc = thisProcess();

  constructor(repo: string) {
    this.git = GitStore.open(repo);
    this.author = gitIdentity(this.git.location.commonDir);
    this.experiments = new ExperimentStore(this.git, this.author);
    openStores.add(this);
    installExitHook();
    this.recover();
  }

  /** Ref of a run, found by id across experiments (loose refs, packed refs, or a journal only). */
  runRefOf(runId: string): string {
    const own = this.own.get(runId);
    if (own) return own.ref;
    const cached = this.refCache.get(runId);
    if (cached && this.git.refs.read(cached)) return cached;
    const runsDir = join(this.git.location.commonDir, RUNS_PREFIX);
    if (existsSync(runsDir)) {
      for (const exp of readdirSync(runsDir)) {
        if (existsSync(join(runsDir, exp, runId))) return this.remember(runId, runRef(exp, runId));
      }
    }
    const packed = readPackedRunRef(this.git.location.commonDir, runId);
    if (packed) return this.remember(runId, packed);
    for (const path of listRunJournals(this.git.mlDir, runId)) {
      const h = readJournal(path)?.header;
      if (h) return this.remember(runId, runRef(h.experiment_id, runId));
    }
    throw new NotFoundError(`Run '${runId}' not found. List runs with \`git-ml runs list\`; if it was logged in another clone, run \`git-ml pull\`.`, { run_id: runId });
  }

  private remember(runId: string, ref: string): string {
    this.refCache.set(runId, ref);
    return ref;
  }

  /** Starts a run: writes its creation to a fresh journal (the ref appears at the first fold). */
  createRun(create: Extract<Entry, { op: 'create' }>, owner: boolean): RunState {
    this.experiments.ensure(create.info.experiment_id);
    const ref = runRef(create.info.experiment_id, create.info.run_id);
    const journal = this.openJournal(create.info.run_id, create.info.experiment_id, owner);
    journal.appendEntry(create);
    const state = newRunState(create);
    this.own.set(create.info.run_id, { ref, journal, state });
    this.markDirty(create.info.run_id);
    return state;
  }

  /** This process's current view of a run, for validating writes (loads it once). */
  writable(runId: string): OwnRun {
    let own = this.own.get(runId);
    if (own) return own;
    const ref = this.runRefOf(runId);
    const view = readRunViewStable(this.git, ref, runId);
    if (!view.state) throw new NotFoundError(`Run '${runId}' not found.`, { run_id: runId });
    const journal = this.openJournal(runId, view.state.info.experiment_id, false);
    own = { ref, journal, state: view.state };
    this.own.set(runId, own);
    return own;
  }

  private openJournal(runId: string, experimentId: string, owner: boolean): JournalWriter {
    return new JournalWriter(this.git.mlDir, { run_id: runId, experiment_id: experimentId, proc: this.proc, owner }, String(process.pid));
  }

  /** Appends already-validated entries; durable once this returns. */
  append(runId: string, entries: Entry[]): void {
    const own = this.writable(runId);
    let text = '';
    for (const e of entries) {
      applyEntry(own.state, e);
      text += `${JSON.stringify(e)}\n`;
    }
    own.journal.append(text);
    this.markDirty(runId);
  }

  /** The hot path of `logMetric`: a pre-serialized line, no re-parse. */
  appendRaw(runId: string, line: string, apply: Entry): void {
    const own = this.writable(runId);
    applyEntry(own.state, apply);
    own.journal.append(line);
    this.markDirty(runId);
  }

  private markDirty(runId: string): void {
    this.dirty.add(runId);
    // Fold soon, in one batch: a loop that ends a thousand runs becomes one packfile.
    if (!this.foldTimer) this.foldTimer = setImmediate(() => this.flush()).unref();
  }

  /** Reads a run (committed + pending). */
  readRun(runId: string): RunView & { ref: string } {
    const ref = this.runRefOf(runId);
    const view = readRunViewStable(this.git, ref, runId);
    if (!view.state) throw new NotFoundError(`Run '${runId}' not found.`, { run_id: runId });
    return { ...view, ref };
  }

  /** Folds pending journal lines of the given runs (default: every run this process changed) into commits. */
  flush(runIds: Iterable<string> = this.dirty): void {
    if (this.foldTimer) {
      clearImmediate(this.foldTimer);
      this.foldTimer = null;
    }
    const ids = [...runIds];
    for (let i = 0; i < ids.length; i += FOLD_CHUNK) this.foldBatch(ids.slice(i, i + FOLD_CHUNK), false);
  }

  private foldBatch(runIds: string[], recovering: boolean): void {
    const sink = new ObjectSink(this.git);
    const txs: { tx: RefTransaction; ref: string; commit: string; runId: string; view: RunView }[] = [];
    try {
      for (const runId of runIds) {
        const ref = this.runRefOf(runId);
        const tx = this.git.refs.transaction();
        const head = tx.lock(ref);
        const view = readRunView(this.git, ref, runId, head);
        if (!view.state || view.journals.every((j) => j.entries.length === 0 && !(recovering && j.header?.owner))) {
          tx.release();
          this.dirty.delete(runId);
          this.dropIfDone(runId, view);
          continue;
        }
        if (recovering) markKilledIfOrphaned(view);
        const offsets = new Map(view.offsets);
        for (const j of view.journals) offsets.set(j.writer, j.end);
        for (const w of offsets.keys()) if (!view.journals.some((j) => j.writer === w)) offsets.delete(w);
        const s = view.state;
        const parents = head ? [head] : s.source?.commit && this.git.objects.has(s.source.commit) ? [s.source.commit] : [];
        const message = `git-ml: run ${s.info.run_name} (${s.info.status})\n\nRun ${s.info.run_id} in experiment ${s.info.experiment_id}.\n${s.conflicts.map((c) => `Conflict: ${c}\n`).join('')}\n${formatOffsets(offsets)}`;
        txs.push({ tx, ref, commit: writeRunRecord(this.git, sink, s, parents, message, this.author), runId, view });
      }
      sink.flush();
      for (const t of txs) {
        t.tx.set(t.ref, t.commit);
        t.tx.commit();
        this.dirty.delete(t.runId);
        for (const c of t.view.state!.conflicts) process.stderr.write(`git-ml: warning: run ${t.runId}: ${c}\n`);
      }
    } finally {
      for (const t of txs) t.tx.release();
    }
    for (const t of txs) this.dropIfDone(t.runId, t.view);
  }

  private dropIfDone(runId: string, view: RunView): void {
    const own = this.own.get(runId);
    if (own && view.state && TERMINAL.has(view.state.info.status)) {
      own.journal.remove();
      this.own.delete(runId);
    }
    for (const j of view.journals) {
      if (j.header && j.header.proc.pid !== process.pid && !isAlive(j.header.proc)) removeJournalFile(j.path);
    }
  }

  /** Folds what dead processes left in `.git/ml/journal`, marking runs they owned KILLED. */
  recover(): void {
    const orphaned: string[] = [];
    for (const runId of listJournalRuns(this.git.mlDir)) {
      for (const path of listRunJournals(this.git.mlDir, runId)) {
        const r = readJournal(path);
        if (!r?.header) {
          // a header never finished: its writer died at once; nothing else can be in it
          const st = statSync(path, { throwIfNoEntry: false });
          if (st && Date.now() - st.mtimeMs > 60_000) removeJournalFile(path);
          continue;
        }
        if (r.header.proc.pid !== process.pid && !isAlive(r.header.proc)) {
          orphaned.push(runId);
          break;
        }
      }
    }
    for (let i = 0; i < orphaned.length; i += FOLD_CHUNK) {
      try {
        this.foldBatch(orphaned.slice(i, i + FOLD_CHUNK), true);
      } catch (err) {
        if ((err as { code?: string }).code !== 'REF_LOCKED') throw err;
      }
    }
  }

  /** Folds everything and releases journals; runs left RUNNING stay RUNNING (as in MLflow). */
  close(): void {
    this.flush([...new Set([...this.dirty, ...this.own.keys()])]);
    for (const [runId, own] of this.own) {
      own.journal.remove();
      this.own.delete(runId);
    }
    openStores.delete(this);
  }
}

function markKilledIfOrphaned(view: RunView): void {
  const s = view.state!;
  const dead = view.journals.some((j) => j.header?.owner && j.header.proc.pid !== process.pid && !isAlive(j.header.proc));
  if (!dead || s.info.status !== 'RUNNING') return;
  let last = s.info.start_time;
  for (const j of view.journals) for (const e of j.entries) if (e.op === 'm' && e.t > last) last = e.t;
  applyEntry(s, { op: 'u', status: 'KILLED', end_time: last });
}
