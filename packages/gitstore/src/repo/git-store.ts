import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ObjectStore } from '../objects/object-store.js';
import { RefStore } from '../refs/ref-store.js';
import { findRepository, type RepositoryLocation } from './find-repository.js';
import { readHead, type Head } from './head.js';
import { snapshotWorkTree, type SourceSnapshot } from './snapshot.js';

/**
 * A git repository as git-ml sees it: objects, refs, HEAD, and `.git/ml/` — the directory for
 * derived caches and journals that are never committed or pushed.
 */
export class GitStore {
  readonly location: RepositoryLocation;
  readonly objects: ObjectStore;
  readonly refs: RefStore;
  /** `.git/ml`: git-ml's local, derived state (journals, indexes). */
  readonly mlDir: string;

  private constructor(location: RepositoryLocation) {
    this.location = location;
    this.objects = new ObjectStore(join(location.commonDir, 'objects'));
    this.refs = new RefStore(location.commonDir);
    this.mlDir = join(location.commonDir, 'ml');
    mkdirSync(this.mlDir, { recursive: true });
  }

  /** Opens the repository containing `dir` (a work tree, a `.git` dir or a bare repository). */
  static open(dir: string): GitStore {
    return new GitStore(findRepository(resolve(dir)));
  }

  get gitDir(): string {
    return this.location.gitDir;
  }

  get workTree(): string | null {
    return this.location.workTree;
  }

  head(): Head {
    return readHead(this.location.gitDir, this.refs);
  }

  /** The commit that holds the code as it is now (a snapshot when the work tree is dirty). */
  snapshotSource(): SourceSnapshot {
    const head = this.head().commit;
    if (!this.location.workTree) return { commit: head, head, dirty: false };
    return snapshotWorkTree(this.location.gitDir, this.location.workTree, head);
  }
}
