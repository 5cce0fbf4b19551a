import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GitStore } from '@git-ml/gitstore';
import { NotFoundError } from '../errors.js';
import type { JournalRead } from '../journal/journal.js';
import { readPackedRunRef } from './packed-run-ref.js';
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
    const runsDir = join(this.git.location.commonDir, RUNS_PREFIX);
    if (existsSync(runsDir)) {
      for (const exp of readdirSync(runsDir)) {
        if (existsSync(join(runsDir, exp, runId))) return this.remember(runId, runRef(exp, runId));
      }
    }
    const packed = readPackedRunRef(this.git.location.commonDir, runId);
    if (packed) return this.remember(runId, packed);
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
