import type { GitStore } from '@git-ml/gitstore';
import { NotFoundError } from '../errors.js';
import type { JournalRead } from '../journal/journal.js';
import { RUNS_PREFIX, parseRunRef, runRef } from './refs-layout.js';

/** Finds a run's ref by its id across experiments: loose refs, packed refs, or a journal's create line. */
export class RunLocator {
  private cache = new Map<string, string>();

  constructor(private git: GitStore) {}

  remember(runId: string, ref: string): string {
    this.cache.set(runId, ref);
    return ref;
  }

  /** The ref of `runId`, or null when no ref and no journal names it. */
  find(runId: string, journals: () => JournalRead[]): string | null {
    const cached = this.cache.get(runId);
    if (cached && this.git.refs.read(cached)) return cached;
    const found = this.git.findRefOneLevelDown(RUNS_PREFIX, runId);
    if (found) return this.remember(runId, found);
    for (const j of journals()) {
      for (const { line } of j.byRun.get(runId) ?? []) {
        if (line.op === 'create') return this.remember(runId, runRef(line.info.experiment_id, runId));
      }
    }
    return null;
  }

  mustFind(runId: string, journals: () => JournalRead[]): string {
    const ref = this.find(runId, journals);
    if (ref) return ref;
    throw new NotFoundError(`Run '${runId}' not found. List runs with \`git-ml runs list\`; if it was logged in another clone, run \`git-ml pull\`.`, { run_id: runId });
  }

  /**
   * Every run id that starts with `prefix`, sorted: run refs (loose or packed) and runs whose
   * creation is still only in a journal. Only searched when the exact id names no run.
   */
  startingWith(prefix: string, journals: () => JournalRead[]): string[] {
    const ids = new Set<string>();
    for (const ref of this.git.refs.list(RUNS_PREFIX).keys()) {
      const id = parseRunRef(ref)?.runId;
      if (id?.startsWith(prefix)) ids.add(id);
    }
    for (const j of journals()) {
      for (const id of j.byRun.keys()) {
        if (!id.startsWith(prefix) || ids.has(id)) continue;
        if ((j.byRun.get(id) ?? []).some(({ line }) => line.op === 'create')) ids.add(id);
      }
    }
    return [...ids].sort();
  }
}
