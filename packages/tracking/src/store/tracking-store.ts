import { GitStore } from '@git-ml/gitstore';
import { thisProcess } from '@git-ml/gitstore';
import { NotFoundError } from '../errors.js';
import type { Experiment } from '../model.js';
import { JournalCache, JournalWriter, type JournalLine, type JournalRead } from '../journal/journal.js';
import { ExperimentStore } from './experiments.js';
import { createFresh, foldBatch, TERMINAL, type FoldContext } from './fold.js';
import { gitIdentity } from './identity.js';
import { FOLD_CHUNK, recoverJournals, type JournalAreas } from './recovery.js';
import { RunLocator } from './run-locator.js';
import { commitOffsets, pendingLines, readRunViewStable, stateFromCreate, type RunView } from './run-reader.js';
import { readRunRecord } from './run-record.js';
import { runRef } from './refs-layout.js';
import { applyEntry, newRunState, type Entry, type RunState } from './run-state.js';

/** After a complete fold, a journal bigger than this is replaced by a fresh one. */
const ROTATE_BYTES = 1 << 20;
/** A logged value is folded into a commit within this long (it is durable in the journal at once). */
const FOLD_INTERVAL_MS = Math.max(0, Number(process.env.GIT_ML_FOLD_INTERVAL_MS ?? 1000)) || 0;
/** This many bytes of journal lines waiting make the next fold come on the next event-loop turn. */
const FOLD_SOON_BYTES = 1 << 20;
/** A run that ended is folded within this long (runs ending together share one fold). */
const FOLD_END_MS = Math.min(100, FOLD_INTERVAL_MS);
/** …but folds for ended runs start at least this long apart: a process ending many runs a second (a server, a sweep) folds twice a second, not ten times */
const FOLD_END_SPACING_MS = Math.min(500, FOLD_INTERVAL_MS);

interface OwnRun {
  ref: string;
  /** this process's view of info, params and tags, used to check writes without re-reading (metrics are not kept) */
  state: RunState;
  owner: boolean;
  /** created by this process (its create line is in this process's journal) */
  created?: boolean;
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
        process.stderr.write(`git-ml: could not fold pending changes at exit (they stay in the journal, ${s.journalDir}, and are folded next time): ${(err as Error).message}\n`);
      }
    }
  });
}

/** Applies an entry to a writer's own view; metric points are not kept there (the journal has them). */
function applyToView(s: RunState, e: Entry): void {
  if (e.op !== 'm') applyEntry(s, e);
}

/**
 * The engine under `MlClient`: journals every change (durable at once), folds journal lines into
 * run commits — at most about once a second per process, sooner when a run ends or many lines wait,
 * and at `flush()`/`close()`/exit — reads runs back (committed record + unfolded journal lines), and
 * recovers what dead processes left behind (see `fold.ts`, `recovery.ts`, `run-locator.ts`).
 */
export class TrackingStore {
  readonly git: GitStore;
  readonly experiments: ExperimentStore;
  readonly author: { name: string; email: string };
  /** every process's journal, read incrementally */
  readonly journals: JournalCache;
  private journal: JournalWriter;
  private locator: RunLocator;
  private own = new Map<string, OwnRun>();
  private dirty = new Set<string>();
  private pendingBytes = 0;
  private foldTimer: NodeJS.Timeout | null = null;
  private foldDue = 0;
  /** when the last background fold started */
  private lastFoldAt = 0;
  private soonTimer: NodeJS.Immediate | null = null;
  private knownCommits = new Set<string>();
  /** runs whose fold failed (e.g. a corrupt record), with the reason; their lines stay journaled */
  readonly unfoldable = new Map<string, string>();
  private readonly ctx: FoldContext;
  private readonly areas: JournalAreas;

  /** where this repository's journals are (for messages) */
  get journalDir(): string {
    return this.areas.journal;
  }

  constructor(repo: string) {
    this.git = GitStore.open(repo);
    this.author = gitIdentity(this.git.config());
    this.experiments = new ExperimentStore(this.git, this.author);
    this.areas = { journal: this.git.area('journal'), quarantine: this.git.areaPath('journal-quarantine') };
    this.journal = new JournalWriter(this.areas.journal, thisProcess(), this.git.cloneId());
    this.journals = new JournalCache(this.areas.journal);
    this.locator = new RunLocator(this.git);
    this.ctx = {
      git: this.git,
      author: this.author,
      refOf: (runId, journals) => this.own.get(runId)?.ref ?? this.locator.find(runId, () => journals),
      folded: (runId, state) => {
        this.dirty.delete(runId);
        this.unfoldable.delete(runId);
        if (TERMINAL.has(state.info.status)) this.own.delete(runId);
      },
      unfoldable: (runId, why) => {
        // only runs with lines of this process matter here (recovery handles other journals)
        if (this.dirty.has(runId)) this.unfoldable.set(runId, why);
      },
      hasCommit: (oid) => this.hasCommit(oid),
      cloneId: this.git.cloneId(),
    };
    openStores.add(this);
    installExitHook();
    this.recover();
  }

  /** Ref of a run, found by id across experiments (loose refs, packed refs, or a journal only). */
  runRefOf(runId: string): string {
    const own = this.own.get(runId);
    if (own) return own.ref;
    return this.locator.mustFind(runId, () => this.journals.readAll());
  }

  /** Every run id starting with `prefix` (sorted), this process's new runs included. */
  runIdsStartingWith(prefix: string): string[] {
    const ids = new Set(this.locator.startingWith(prefix, () => this.journals.readAll()));
    for (const id of this.own.keys()) if (id.startsWith(prefix)) ids.add(id);
    return [...ids].sort();
  }

  /** Starts a run: journals its creation (the ref appears at the first fold). */
  createRun(create: Extract<Entry, { op: 'create' }>, owner: boolean, experiment?: Experiment): RunState {
    this.experiments.ensure(create.info.experiment_id, experiment);
    const runId = create.info.run_id;
    const ref = runRef(create.info.experiment_id, runId);
    const entry = { r: runId, own: owner || undefined, ...create };
    const line = `${JSON.stringify(entry)}\n`;
    const start = this.journal.append(line);
    this.journals.wrote(this.journal.path, start, [{ text: line, line: JSON.parse(line) as JournalLine }]);
    const state = newRunState(create);
    this.own.set(runId, { ref, state, owner, created: true });
    this.locator.remember(runId, ref);
    this.markDirty(runId, line.length, false);
    return state;
  }

  /** This process's current view of a run, for validating writes (loads it once). */
  writable(runId: string): OwnRun {
    let own = this.own.get(runId);
    if (own) return own;
    const ref = this.runRefOf(runId);
    const view = readRunViewStable(this.git, ref, runId, this.journals);
    if (!view.state) throw new NotFoundError(`Run '${runId}' not found.`, { run_id: runId });
    view.state.metrics.clear();
    own = { ref, state: view.state, owner: false };
    this.own.set(runId, own);
    return own;
  }

  /** Appends already-validated entries in one write (all or nothing); durable once this returns. */
  append(runId: string, entries: Entry[]): void {
    const own = this.writable(runId);
    const lines: { text: string; line: JournalLine }[] = [];
    let ends = false;
    for (const e of entries) {
      const line = { r: runId, ...e } as JournalLine;
      lines.push({ text: `${JSON.stringify(line)}\n`, line });
      if (e.op === 'u' && e.status !== undefined && TERMINAL.has(e.status)) ends = true;
    }
    const text = lines.map((l) => l.text).join('');
    const start = this.journal.append(text);
    this.journals.wrote(this.journal.path, start, lines);
    for (const e of entries) applyToView(own.state, e);
    this.markDirty(runId, text.length, ends);
  }

  /** The hot path of `logMetric`: a pre-serialized line, no re-parse (the fold takes `apply` as it is). */
  appendRaw(runId: string, line: string, apply: Entry): void {
    const own = this.writable(runId);
    const start = this.journal.append(line);
    this.journals.wrote(this.journal.path, start, [{ text: line, line: { r: runId, ...apply } as JournalLine }]);
    applyToView(own.state, apply);
    this.markDirty(runId, line.length, false);
  }

  /**
   * Schedules a fold: within FOLD_INTERVAL_MS, within FOLD_END_MS when a run ended (but no sooner
   * than FOLD_END_SPACING_MS after the last background fold), on the next
   * event-loop turn when many lines are waiting. A loop that logs or ends a thousand runs still
   * becomes one fold.
   */
  private markDirty(runId: string, bytes: number, ended: boolean): void {
    this.dirty.add(runId);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= FOLD_SOON_BYTES || FOLD_INTERVAL_MS === 0) {
      if (!this.soonTimer) this.soonTimer = setImmediate(() => this.backgroundFlush()).unref();
      return;
    }
    const now = Date.now();
    const due = ended ? Math.max(now + FOLD_END_MS, this.lastFoldAt + FOLD_END_SPACING_MS) : now + FOLD_INTERVAL_MS;
    if (this.foldTimer && this.foldDue <= due) return;
    if (this.foldTimer) clearTimeout(this.foldTimer);
    this.foldDue = due;
    this.foldTimer = setTimeout(() => this.backgroundFlush(), due - Date.now()).unref();
  }

  /** A fold in the background must never take the process down: the lines stay in the journal. */
  private backgroundFlush(): void {
    this.lastFoldAt = Date.now();
    try {
      this.flush();
    } catch (err) {
      process.stderr.write(`git-ml: warning: could not fold logged values into commits yet (they are safe in the journal, ${this.areas.journal}): ${(err as Error).message}\n`);
    }
  }

  /** Reads a run (committed + pending). */
  readRun(runId: string): RunView & { ref: string } {
    const ref = this.runRefOf(runId);
    const view = readRunViewStable(this.git, ref, runId, this.journals);
    if (!view.state) throw new NotFoundError(`Run '${runId}' not found.`, { run_id: runId });
    return { ...view, ref };
  }

  /**
   * A run's lifecycle stage (`active` or `deleted`) as it is right now, without reading the whole
   * run: the record's stage is read once per head commit (a commit never changes), then the run's
   * unfolded journal lines are scanned for changes. For checks made on every request (the server's
   * "is this run active" before each write).
   */
  lifecycle(runId: string): string {
    const ref = this.runRefOf(runId);
    for (let i = 0; ; i++) {
      const head = this.git.refs.read(ref);
      const all = this.journals.readAll();
      let recorded: string | undefined;
      if (head) {
        recorded = this.recordStages.get(head);
        if (recorded === undefined) {
          recorded = readRunRecord(this.git, ref, head).info.lifecycle_stage;
          if (this.recordStages.size >= 10_000) this.recordStages.clear();
          this.recordStages.set(head, recorded);
        }
      }
      const pending = pendingLines(all, runId, head ? commitOffsets(this.git, head) : new Map());
      let stage = recorded ?? stateFromCreate(pending)?.info.lifecycle_stage;
      if (stage !== undefined) for (const p of pending) for (const e of p.lines) if (e.op === 'u' && e.lifecycle_stage !== undefined) stage = e.lifecycle_stage;
      if (this.git.refs.read(ref) === head || i >= 5) {
        if (stage === undefined) throw new NotFoundError(`Run '${runId}' not found.`, { run_id: runId });
        return stage;
      }
    }
  }
  /** the lifecycle stage each run commit records (a commit never changes) */
  private recordStages = new Map<string, string>();

  /** Folds pending journal lines of the given runs (default: every run this process changed) into commits. */
  flush(runIds: Iterable<string> = this.dirty): void {
    const all = runIds === this.dirty;
    const ids = [...runIds];
    if (all) {
      if (this.foldTimer) clearTimeout(this.foldTimer);
      if (this.soonTimer) clearImmediate(this.soonTimer);
      this.foldTimer = null;
      this.soonTimer = null;
      this.pendingBytes = 0;
    }
    if (ids.length === 0) return;
    const journals = this.journals.readAll();
    // runs created here whose ref does not exist yet: created together, in one packed-refs write
    const created = ids.filter((id) => this.own.get(id)?.created);
    const taken = this.git.refs.taken(created.map((id) => this.own.get(id)!.ref));
    const fresh = created.filter((id) => !taken.has(this.own.get(id)!.ref));
    const freshSet = new Set(fresh);
    const rest = this.git.refs.packedCreateWorthIt(fresh.length) ? ids.filter((id) => !freshSet.has(id)) : ids;
    if (rest !== ids) {
      try {
        createFresh(this.ctx, fresh.map((runId) => ({ runId, ref: this.own.get(runId)!.ref })), journals);
      } catch (err) {
        // a ref appeared meanwhile (another process folded one of these runs): fold them one by one
        if ((err as { code?: string }).code !== 'REF_CONFLICT') throw err;
        for (const id of fresh) rest.push(id);
      }
    }
    for (let i = 0; i < rest.length; i += FOLD_CHUNK) foldBatch(this.ctx, rest.slice(i, i + FOLD_CHUNK), journals, new Map());
    this.rotateIfFolded();
  }

  private hasCommit(oid: string): boolean {
    if (this.knownCommits.has(oid)) return true;
    const ok = this.git.objects.has(oid);
    if (ok) this.knownCommits.add(oid);
    return ok;
  }

  /** Once everything this process journaled is folded, a big journal is replaced by a fresh one. */
  private rotateIfFolded(): void {
    if (this.dirty.size > 0 || this.journal.size < ROTATE_BYTES) return;
    this.journal.remove();
    const owned = [...this.own].filter(([, o]) => o.owner && o.state.info.status === 'RUNNING');
    if (owned.length > 0) this.journal.append(owned.map(([r]) => `{"r":"${r}","op":"own"}\n`).join(''));
  }

  /** Folds what dead processes left in the journal area (see recovery.ts). */
  recover(): void {
    this.git.objects.releaseStaleKeeps();
    recoverJournals(this.ctx, this.areas, this.journals.readAll());
  }

  /** Folds everything and releases the journal; runs left RUNNING stay RUNNING (as in MLflow). */
  close(): void {
    this.flush([...new Set([...this.dirty, ...this.own.keys()])]);
    if (this.foldTimer) clearTimeout(this.foldTimer);
    if (this.soonTimer) clearImmediate(this.soonTimer);
    this.foldTimer = null;
    this.soonTimer = null;
    if (this.unfoldable.size > 0) {
      for (const [runId, why] of this.unfoldable) {
        process.stderr.write(`git-ml: warning: run ${runId} could not be folded (${why}); its values stay in the journal (${this.areas.journal}) and are folded once the record is fixed.\n`);
      }
      this.journal.release();
    } else this.journal.remove();
    this.own.clear();
    openStores.delete(this);
  }

  /** Journals as they are now (for readers that look at many runs). */
  readJournals(): JournalRead[] {
    return this.journals.readAll();
  }
}
