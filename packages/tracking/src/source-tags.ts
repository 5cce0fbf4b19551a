import { basename, relative } from 'node:path';
import type { GitStore, OmittedFile, SourceSnapshot } from '@git-ml/gitstore';
import type { RunSource } from './store/run-state.js';
import { LIMITS } from './validate.js';
import { formatSize as size } from './_format-size.js';

/** System tags that record how the source snapshot was taken and what it left out. */
export const SNAPSHOT_TAGS = {
  /** `full`, `tracked` or `off`: the snapshot mode in effect (docs/tracking.md, "Source snapshots") */
  mode: 'git-ml.source.snapshot',
  /** JSON: the untracked files left out of the snapshot, with size, mtime and (small files) blob id */
  omitted: 'git-ml.source.omitted',
} as const;

/**
 * The tags recording a snapshot's decision: its mode, and the files it left out as JSON
 * `{"files":[{"path","size","mtime","blob"?,"reason"}],"more":N,"maxFileBytes","maxTotalBytes"}`,
 * files sorted by path and cut to fit MLflow's tag value limit (`more` counts the rest).
 */
export function snapshotTags(snap: SourceSnapshot): Record<string, string> {
  if (!snap.settings) return {};
  const tags: Record<string, string> = { [SNAPSHOT_TAGS.mode]: snap.settings.mode };
  const omitted = snap.omitted ?? [];
  if (omitted.length === 0) return tags;
  const files = omitted.map((f) => ({ path: f.path, size: f.size, mtime: f.mtimeMs, ...(f.blob ? { blob: f.blob } : {}), reason: f.reason }));
  const encode = (n: number) => JSON.stringify({ files: files.slice(0, n), more: files.length - n, maxFileBytes: snap.settings!.maxFileBytes, maxTotalBytes: snap.settings!.maxTotalBytes });
  let n = files.length;
  let text = encode(n);
  while (text.length > LIMITS.tagValue && n > 0) {
    n = Math.max(0, Math.min(n - 1, Math.floor((n * LIMITS.tagValue) / text.length) - 1));
    text = encode(n);
  }
  tags[SNAPSHOT_TAGS.omitted] = text;
  return tags;
}

/** The one warning line about files a `full` snapshot left out, or null when it kept everything. */
export function snapshotWarning(snap: SourceSnapshot): string | null {
  const left = (snap.omitted ?? []).filter((f) => f.reason !== 'tracked');
  if (left.length === 0 || !snap.settings) return null;
  const s = snap.settings;
  const why = (f: OmittedFile) => (f.reason === 'file-cap' ? `over the ${size(s.maxFileBytes)} per-file cap` : `past the ${size(s.maxTotalBytes)} total cap`);
  const named = [...left].sort((a, b) => b.size - a.size).slice(0, 3).map((f) => `${f.path} (${size(f.size)}, ${why(f)})`);
  const more = left.length > named.length ? ` and ${left.length - named.length} more` : '';
  return (
    `git-ml: warning: left ${left.length} untracked file${left.length === 1 ? '' : 's'} out of the run's source snapshot: ${named.join(', ')}${more}; ` +
    `listed in tag ${SNAPSHOT_TAGS.omitted}. To change it: add them to .gitignore or .gitmlignore, ` +
    'raise `git config ml.snapshotMaxFileSize` / `ml.snapshotMaxTotalSize`, or `git config ml.snapshot tracked` (or off).'
  );
}

/** What createRun needs from a snapshot: the run's source, the extra tags, and whether it is new (warn once). */
export interface CapturedSource {
  source: RunSource;
  snapshot: SourceSnapshot;
  fresh: boolean;
  /** `remote.origin.url` when the snapshot was taken (read with it, not per run) */
  repoUrl?: string;
}

/**
 * The code a run is about to run on, and MLflow's system tags that describe it. Snapshots are
 * cached for a second (unless HEAD or the index changed) so a loop creating many runs does not
 * re-scan the working tree each time; the origin URL is read with each snapshot.
 */
export class SourceContext {
  private cached: { at: number; key: string; captured: CapturedSource } | null = null;
  constructor(private git: GitStore) {}

  source(): CapturedSource {
    const now = Date.now();
    // a commit, checkout or `git add` in that second changes HEAD or the index: snapshot again
    const head = this.git.head();
    const key = `${head.branch}|${head.commit}|${this.git.indexStamp()}`;
    if (this.cached && this.cached.key === key && now - this.cached.at < 1000) return { ...this.cached.captured, fresh: false };
    const snap = this.git.snapshotSource();
    const captured = { source: { commit: snap.commit, head: snap.head, dirty: snap.dirty, branch: head.branch }, snapshot: snap, fresh: true, repoUrl: this.git.config().get('remote.origin.url') };
    this.cached = { at: now, key, captured };
    return captured;
  }

  tags(captured: CapturedSource, type = 'LOCAL', name?: string): Record<string, string> {
    const { source } = captured;
    const script = process.argv[1];
    const tags: Record<string, string> = {
      'mlflow.source.type': type,
      'mlflow.source.name': name ?? (script ? (this.git.workTree ? relative(this.git.workTree, script) || basename(script) : script) : 'node'),
    };
    if (source.commit) tags['mlflow.source.git.commit'] = source.commit;
    if (source.head && source.head !== source.commit) tags['git-ml.source.head'] = source.head;
    if (source.dirty !== null) tags['git-ml.source.dirty'] = String(source.dirty);
    if (source.branch) tags['mlflow.source.git.branch'] = source.branch;
    Object.assign(tags, snapshotTags(captured.snapshot));
    const url = 'repoUrl' in captured ? captured.repoUrl : this.git.config().get('remote.origin.url');
    if (url) tags['mlflow.source.git.repoURL'] = url;
    return tags;
  }
}
