import type { GitStore } from '@git-ml/gitstore';
import { NotFoundError } from '../errors.js';
import type { JournalRead } from '../journal/journal.js';
import { RUNS_PREFIX, runRef } from './refs-layout.js';

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
}
