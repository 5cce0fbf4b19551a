import { statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { GitStore } from '@git-ml/gitstore';
import type { RunSource } from './store/run-state.js';

/**
 * The code a run is about to run on, and MLflow's system tags that describe it. Snapshots are
 * cached for a second (unless HEAD or the index changed) so a loop creating many runs does not
 * re-scan the working tree each time.
 */
export class SourceContext {
  private cached: { at: number; key: string; source: RunSource } | null = null;
  constructor(private git: GitStore) {}

  source(): RunSource {
    const now = Date.now();
    // a commit, checkout or `git add` in that second changes HEAD or the index: snapshot again
    const head = this.git.head();
    const index = statSync(join(this.git.gitDir, 'index'), { throwIfNoEntry: false });
    const key = `${head.branch}|${head.commit}|${index?.mtimeMs ?? '-'}|${index?.size ?? '-'}`;
    if (this.cached && this.cached.key === key && now - this.cached.at < 1000) return this.cached.source;
    const snap = this.git.snapshotSource();
    const source: RunSource = { commit: snap.commit, head: snap.head, dirty: snap.dirty, branch: head.branch };
    this.cached = { at: now, key, source };
    return source;
  }

  tags(source: RunSource, type = 'LOCAL', name?: string): Record<string, string> {
    const script = process.argv[1];
    const tags: Record<string, string> = {
      'mlflow.source.type': type,
      'mlflow.source.name': name ?? (script ? (this.git.workTree ? relative(this.git.workTree, script) || basename(script) : script) : 'node'),
    };
    if (source.commit) tags['mlflow.source.git.commit'] = source.commit;
    if (source.head && source.head !== source.commit) tags['git-ml.source.head'] = source.head;
    if (source.dirty !== null) tags['git-ml.source.dirty'] = String(source.dirty);
    if (source.branch) tags['mlflow.source.git.branch'] = source.branch;
    const url = this.git.config().get('remote.origin.url');
    if (url) tags['mlflow.source.git.repoURL'] = url;
    return tags;
  }
}
