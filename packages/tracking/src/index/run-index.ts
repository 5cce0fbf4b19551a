import type { GitStore } from '@git-ml/gitstore';
import type { JournalRead } from '../journal/journal.js';
import type { Run } from '../model.js';
import { RUNS_PREFIX, parseRunRef, runRef } from '../store/refs-layout.js';
import { readRunRecord } from '../store/run-record.js';
import { commitOffsets, pendingLines, readRunView } from '../store/run-reader.js';
import { toRun } from '../store/to-run.js';
import { assertRecordMatchesRef } from './record-identity.js';

/** 2: records whose run.yaml names another run than their ref are no longer indexed (rebuild). */
const INDEX_VERSION = 2;
/** where it lives: `runs.json` in gitstore's `index` area */
const AREA = 'index';
const FILE = 'runs.json';

interface Entry {
  commit: string;
  run: Run;
}

/**
 * The derived run index (`runs.json` in gitstore's `index` area): the summary of every run (info, params, tags,
 * latest metrics) keyed by ref and commit. It is refreshed incrementally — only refs whose commit
 * changed are re-read — and skips even listing refs when no ref directory or packed-refs changed.
 * Delete it and it is rebuilt from the refs.
 */
export class RunIndex {
  private entries = new Map<string, Entry>();
  private signature = '';
  private changed = false;
  /** refs that could not be read (corrupt records), with the reason */
  readonly problems = new Map<string, string>();

  constructor(
    private git: GitStore,
    private journals: () => JournalRead[],
  ) {
    this.load();
  }

  private load(): void {
    try {
      const text = this.git.readAreaFile(AREA, FILE);
      if (!text) return;
      const doc = JSON.parse(text.toString('utf8')) as { version: number; entries: [string, string, Run][] };
      if (doc.version !== INDEX_VERSION) return;
      for (const [ref, commit, run] of doc.entries) this.entries.set(ref, { commit, run });
    } catch {
      // missing or unreadable: rebuilt from refs
    }
  }

  save(): void {
    if (!this.changed) return;
    const entries = [...this.entries].map(([ref, e]) => [ref, e.commit, e.run]);
    this.git.writeAreaFile(AREA, FILE, JSON.stringify({ version: INDEX_VERSION, entries }));
    this.changed = false;
  }

  /** Brings the index up to date with the refs; cheap when nothing changed. */
  refresh(): void {
    const { stamp: sig, racy } = this.git.refsChangeStamp(RUNS_PREFIX);
    if (sig === this.signature) return;
    const refs = this.git.refs.list(RUNS_PREFIX);
    for (const ref of [...this.entries.keys()]) {
      if (!refs.has(ref)) {
        this.entries.delete(ref);
        this.changed = true;
      }
    }
    for (const [ref, commit] of refs) {
      if (this.entries.get(ref)?.commit === commit) continue;
      try {
        const run = toRun(readRunRecord(this.git, ref, commit), ref);
        assertRecordMatchesRef(ref, run.info);
        this.entries.set(ref, { commit, run });
        this.problems.delete(ref);
      } catch (err) {
        this.entries.delete(ref);
        this.problems.set(ref, (err as Error).message);
      }
      this.changed = true;
    }
    this.signature = racy ? '' : sig;
  }

  /** Every run id, sorted: indexed refs and runs whose creation is only journaled so far. Reads no record. */
  runIds(): string[] {
    this.refresh();
    const ids = new Set<string>();
    for (const ref of this.entries.keys()) {
      const p = parseRunRef(ref);
      if (p) ids.add(p.runId);
    }
    for (const j of this.journals()) {
      for (const runId of j.byRun.keys()) {
        if (!ids.has(runId) && (j.byRun.get(runId) ?? []).some(({ line }) => line.op === 'create')) ids.add(runId);
      }
    }
    return [...ids].sort();
  }

  /** Every run: indexed records, overlaid with runs that have unfolded journal lines. */
  runs(): Run[] {
    this.refresh();
    const byId = new Map<string, Run>();
    const refOf = new Map<string, string>();
    for (const [ref, e] of this.entries) {
      const p = parseRunRef(ref);
      if (p) {
        byId.set(p.runId, e.run);
        refOf.set(p.runId, ref);
      }
    }
    const journals = this.journals();
    const touched = new Set<string>();
    for (const j of journals) for (const r of j.byRun.keys()) touched.add(r);
    const createdRef = (runId: string): string | undefined => {
      for (const j of journals) {
        for (const { line } of j.byRun.get(runId) ?? []) if (line.op === 'create') return runRef(line.info.experiment_id, runId);
      }
      return undefined;
    };
    for (const runId of touched) {
      const ref = refOf.get(runId) ?? createdRef(runId);
      if (!ref) continue;
      const indexed = this.entries.get(ref);
      if (indexed) {
        const offsets = commitOffsets(this.git, indexed.commit);
        if (pendingLines(journals, runId, offsets).length === 0) continue;
      }
      try {
        const view = readRunView(this.git, ref, runId, indexed?.commit ?? this.git.refs.read(ref), journals);
        if (view.state) {
          assertRecordMatchesRef(ref, view.state.info);
          byId.set(runId, toRun(view.state, ref));
        }
      } catch (err) {
        this.problems.set(ref, (err as Error).message);
      }
    }
    return [...byId.values()];
  }
}
