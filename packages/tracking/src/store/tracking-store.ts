import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GitStore, type RefTransaction } from '@git-ml/gitstore';
import { NotFoundError } from '../errors.js';
import { JournalWriter, readAllJournals, removeJournalFile, type JournalRead } from '../journal/journal.js';
import { isAlive, thisProcess } from '@git-ml/gitstore';
import { ExperimentStore } from './experiments.js';
import { gitIdentity } from './identity.js';
import { ObjectSink } from './object-sink.js';
import { readPackedRunRef } from './packed-run-ref.js';
import { formatOffsets, RUNS_PREFIX, runRef } from './refs-layout.js';
import { readRunView, readRunViewStable, type RunView } from './run-reader.js';
import { writeRunRecord } from './run-record.js';
import { applyEntry, newRunState, type Entry, type RunState } from './run-state.js';

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);
/** Refs locked at once while folding a batch; stays well under the usual 1024 open files. */
const FOLD_CHUNK = 128;
/** After a complete fold, a journal bigger than this is replaced by a fresh one. */
const ROTATE_BYTES = 1 << 20;
/** From this many new runs in one fold on, their refs are created in `packed-refs` in one write. */
const PACKED_CREATE_MIN = 64;

interface OwnRun {
  ref: string;
  /** this process's view, used to check write-once params without re-reading */
  state: RunState;
  owner: boolean;
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

function isDeadWriter(j: JournalRead): boolean {
  return j.header !== null && j.header.proc.pid !== process.pid && !isAlive(j.header.proc);
}

/**
 * The engine under `MlClient`: journals every change, folds journals into run commits, reads runs
 * back (committed record + unfolded journal lines), and recovers what dead processes left behind.
 */
export class TrackingStore {
  readonly git: GitStore;
  readonly experiments: ExperimentStore;
  readonly author: { name: string; email: string };
  private journal: JournalWriter;
  private own = new Map<string, OwnRun>();
  private dirty = new Set<string>();
  private foldTimer: NodeJS.Immediate | null = null;
  private refCache = new Map<string, string>();
  /** runs whose fold failed (e.g. a corrupt record), with the reason; their lines stay journaled */
  readonly unfoldable = new Map<string, string>();

  constructor(repo: string) {
    this.git = GitStore.open(repo);
    this.author = gitIdentity(this.git.location.commonDir);
    this.experiments = new ExperimentStore(this.git, this.author);
    this.journal = new JournalWriter(this.git.mlDir, thisProcess());
    openStores.add(this);
    installExitHook();
    this.recover();
  }

  /** Ref of a run, found by id across experiments (loose refs, packed refs, or a journal only). */
  runRefOf(runId: string, journals?: JournalRead[]): string {
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
    for (const j of journals ?? readAllJournals(this.git.mlDir)) {
      for (const { line } of j.lines) {
        if (line.r === runId && line.op === 'create') return this.remember(runId, runRef(line.info.experiment_id, runId));
      }
    }
    throw new NotFoundError(`Run '${runId}' not found. List runs with \`git-ml runs list\`; if it was logged in another clone, run \`git-ml pull\`.`, { run_id: runId });
  }

  private remember(runId: string, ref: string): string {
    this.refCache.set(runId, ref);
    return ref;
  }

  /** Starts a run: journals its creation (the ref appears at the first fold). */
  createRun(create: Extract<Entry, { op: 'create' }>, owner: boolean): RunState {
    this.experiments.ensure(create.info.experiment_id);
    const runId = create.info.run_id;
    const ref = runRef(create.info.experiment_id, runId);
    this.journal.append(`${JSON.stringify({ r: runId, own: owner || undefined, ...create })}\n`);
    const state = newRunState(create);
    this.own.set(runId, { ref, state, owner });
    this.markDirty(runId);
    return state;
  }

  /** This process's current view of a run, for validating writes (loads it once). */
  writable(runId: string): OwnRun {
    let own = this.own.get(runId);
    if (own) return own;
    const ref = this.runRefOf(runId);
    const view = readRunViewStable(this.git, ref, runId);
    if (!view.state) throw new NotFoundError(`Run '${runId}' not found.`, { run_id: runId });
    own = { ref, state: view.state, owner: false };
    this.own.set(runId, own);
    return own;
  }

  /** Appends already-validated entries; durable once this returns. */
  append(runId: string, entries: Entry[]): void {
    const own = this.writable(runId);
    let text = '';
    for (const e of entries) {
      applyEntry(own.state, e);
      text += `${JSON.stringify({ r: runId, ...e })}\n`;
    }
    this.journal.append(text);
    this.markDirty(runId);
  }

  /** The hot path of `logMetric`: a pre-serialized line, no re-parse. */
  appendRaw(runId: string, line: string, apply: Entry): void {
    const own = this.writable(runId);
    applyEntry(own.state, apply);
    this.journal.append(line);
    this.markDirty(runId);
  }

  private markDirty(runId: string): void {
    this.dirty.add(runId);
    // Fold soon, in one batch: a loop that ends a thousand runs becomes one packfile.
    if (!this.foldTimer) this.foldTimer = setImmediate(() => this.backgroundFlush()).unref();
  }

  /** A fold in the background must never take the process down: the lines stay in the journal. */
  private backgroundFlush(): void {
    try {
      this.flush();
    } catch (err) {
      process.stderr.write(`git-ml: warning: could not fold logged values into commits yet (they are safe in .git/ml/journal): ${(err as Error).message}\n`);
    }
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
    if (ids.length === 0) return;
    const journals = readAllJournals(this.git.mlDir);
    const fresh = ids.filter((id) => this.own.get(id)?.owner && this.git.refs.read(this.own.get(id)!.ref) === null);
    const freshSet = new Set(fresh);
    const rest = fresh.length >= PACKED_CREATE_MIN ? ids.filter((id) => !freshSet.has(id)) : ids;
    if (rest !== ids) {
      try {
        this.createFresh(fresh, journals);
      } catch (err) {
        // a ref appeared meanwhile (another process folded one of these runs): fold them one by one
        if ((err as { code?: string }).code !== 'REF_CONFLICT') throw err;
        rest.push(...fresh);
      }
    }
    for (let i = 0; i < rest.length; i += FOLD_CHUNK) this.foldBatch(rest.slice(i, i + FOLD_CHUNK), journals, new Map());
    this.rotateIfFolded();
  }

  /**
   * Folds each run's unfolded lines into one new commit per run. All objects of the batch are
   * written (as one pack when there are many) before any ref moves; each ref moves under its lock.
   */
  private foldBatch(runIds: string[], journals: JournalRead[], orphans: Map<string, number>): void {
    const sink = new ObjectSink(this.git);
    const txs: { tx: RefTransaction; ref: string; commit: string; runId: string; view: RunView }[] = [];
    try {
      for (const runId of runIds) {
        const ref = this.runRefOf(runId, journals);
        const tx = this.git.refs.transaction();
        let head: string | null;
        let view: RunView;
        try {
          head = tx.lock(ref);
          view = readRunView(this.git, ref, runId, head, journals);
        } catch (err) {
          // one unreadable run must not stop the others; its lines stay in the journal
          tx.release();
          this.unfoldable.set(runId, (err as Error).message);
          continue;
        }
        if (!view.state) {
          tx.release();
          continue;
        }
        const orphanedAt = orphans.get(runId);
        const killed = orphanedAt !== undefined && view.state.info.status === 'RUNNING';
        if (killed) applyEntry(view.state, { op: 'u', status: 'KILLED', end_time: orphanedAt || Date.now() });
        if (view.pending.length === 0 && !killed) {
          tx.release();
          this.dirty.delete(runId);
          continue;
        }
        const offsets = new Map(view.offsets);
        for (const p of view.pending) offsets.set(p.journal.writer, Math.max(offsets.get(p.journal.writer) ?? 0, p.journal.end));
        const live = new Set(journals.map((j) => j.writer));
        for (const w of offsets.keys()) if (!live.has(w)) offsets.delete(w);
        const s = view.state;
        const parents = head ? [head] : this.parentsOf(s);
        txs.push({ tx, ref, commit: writeRunRecord(this.git, sink, s, parents, this.commitMessage(s, offsets), this.author), runId, view });
      }
      sink.flush();
      for (const t of txs) {
        t.tx.set(t.ref, t.commit);
        t.tx.commit();
        this.dirty.delete(t.runId);
        for (const c of t.view.state!.conflicts) process.stderr.write(`git-ml: warning: run ${t.runId}: ${c}\n`);
        const own = this.own.get(t.runId);
        if (own && TERMINAL.has(t.view.state!.info.status)) this.own.delete(t.runId);
      }
    } finally {
      for (const t of txs) t.tx.release();
    }
  }

  private knownCommits = new Set<string>();
  private hasCommit(oid: string): boolean {
    if (this.knownCommits.has(oid)) return true;
    const ok = this.git.objects.has(oid);
    if (ok) this.knownCommits.add(oid);
    return ok;
  }

  /**
   * First fold of many runs created here: their refs are created with one write of `packed-refs`
   * rather than a lock file per ref (the expensive part on most file systems).
   */
  private createFresh(runIds: string[], journals: JournalRead[]): void {
    const sink = new ObjectSink(this.git);
    const refs = new Map<string, string>();
    const done: string[] = [];
    for (const runId of runIds) {
      const ref = this.own.get(runId)!.ref;
      const view = readRunView(this.git, ref, runId, null, journals);
      if (!view.state) continue;
      const offsets = new Map<string, number>();
      for (const p of view.pending) offsets.set(p.journal.writer, p.journal.end);
      refs.set(ref, writeRunRecord(this.git, sink, view.state, this.parentsOf(view.state), this.commitMessage(view.state, offsets), this.author));
      done.push(runId);
      if (TERMINAL.has(view.state.info.status)) this.own.delete(runId);
    }
    sink.flush();
    this.git.refs.createPacked(refs);
    for (const r of done) this.dirty.delete(r);
  }

  private parentsOf(s: RunState): string[] {
    return s.source?.commit && this.hasCommit(s.source.commit) ? [s.source.commit] : [];
  }

  private commitMessage(s: RunState, offsets: Map<string, number>): string {
    const conflicts = s.conflicts.map((c) => `Conflict: ${c}\n`).join('');
    return `git-ml: run ${s.info.run_name} (${s.info.status})\n\nRun ${s.info.run_id} in experiment ${s.info.experiment_id}.\n${conflicts}\n${formatOffsets(offsets)}`;
  }

  /** Once everything this process journaled is folded, a big journal is replaced by a fresh one. */
  private rotateIfFolded(): void {
    if (this.dirty.size > 0 || this.journal.size < ROTATE_BYTES) return;
    this.journal.remove();
    const owned = [...this.own].filter(([, o]) => o.owner && o.state.info.status === 'RUNNING');
    if (owned.length > 0) this.journal.append(owned.map(([r]) => `{"r":"${r}","op":"own"}\n`).join(''));
  }

  /** Folds what dead processes left in `.git/ml/journal`, marking runs they owned KILLED. */
  recover(): void {
    const journals = readAllJournals(this.git.mlDir);
    const dead = journals.filter(isDeadWriter);
    for (const j of journals) {
      if (j.header) continue;
      // a header never finished: its writer died at once, and nothing else can be in the file
      const st = statSync(j.path, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 60_000) removeJournalFile(j.path);
    }
    if (dead.length === 0) return;
    const runIds = [...new Set(dead.flatMap((j) => j.lines.map((l) => l.line.r)))];
    const orphans = orphanedRuns(dead);
    try {
      for (let i = 0; i < runIds.length; i += FOLD_CHUNK) this.foldBatch(runIds.slice(i, i + FOLD_CHUNK), journals, orphans);
    } catch (err) {
      // another process is recovering the same journals right now; it will finish the job
      if ((err as { code?: string }).code === 'REF_LOCKED') return;
      throw err;
    }
    for (const j of dead) {
      if (!j.lines.some((l) => this.unfoldable.has(l.line.r))) removeJournalFile(j.path);
    }
  }

  /** Folds everything and releases the journal; runs left RUNNING stay RUNNING (as in MLflow). */
  close(): void {
    this.flush([...new Set([...this.dirty, ...this.own.keys()])]);
    if (this.unfoldable.size > 0) {
      for (const [runId, why] of this.unfoldable) {
        process.stderr.write(`git-ml: warning: run ${runId} could not be folded (${why}); its values stay in .git/ml/journal and are folded once the record is fixed.\n`);
      }
      this.journal.release();
    } else this.journal.remove();
    this.own.clear();
    openStores.delete(this);
  }
}

/**
 * Runs that dead writers owned (a create or `own` line marked `own`), with the time of the last
 * thing each logged: if still RUNNING, they end KILLED at that time.
 */
function orphanedRuns(dead: JournalRead[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const j of dead) {
    const last = new Map<string, number>();
    for (const { line } of j.lines) {
      if ((line.op === 'create' && line.own) || line.op === 'own') out.set(line.r, line.op === 'create' ? line.info.start_time : 0);
      if (line.op === 'm') last.set(line.r, Math.max(last.get(line.r) ?? 0, line.t));
    }
    for (const [r, t] of out) out.set(r, Math.max(t, last.get(r) ?? 0));
  }
  return out;
}
