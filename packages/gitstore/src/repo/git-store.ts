import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LfsStore } from '../lfs/lfs-store.js';
import { lfsObjectsToPush, type LfsPushWalk } from '../lfs/objects-to-push.js';
import { lsRemote } from '../transport/transport.js';
import { ObjectStore } from '../objects/object-store.js';
import { RefStore } from '../refs/ref-store.js';
import { findRepository, type RepositoryLocation } from './find-repository.js';
import { readHead, type Head } from './head.js';
import { readGitConfig, type GitConfig } from './config.js';
import { findRefOneLevelDown, refDirsStamp, refsChangeStamp, type ChangeStamp } from '../refs/ref-queries.js';
import { snapshotWorkTree, type SourceSnapshot } from './snapshot.js';
import { resolveSnapshotSettings } from './snapshot-settings.js';

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
  /** `.git/lfs`: Git LFS objects, shared with `git lfs`. */
  readonly lfs: LfsStore;

  private constructor(location: RepositoryLocation) {
    this.location = location;
    this.objects = new ObjectStore(join(location.commonDir, 'objects'));
    this.refs = new RefStore(location.commonDir);
    this.mlDir = join(location.commonDir, 'ml');
    this.lfs = new LfsStore(location.commonDir, location.workTree ?? location.gitDir);
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

  /** git's configuration as it is now (system, global, repository). */
  config(): GitConfig {
    return readGitConfig(this.location.commonDir);
  }

  /**
   * A named area under `.git/ml/` (created on first use): git-ml's local state — journals, derived
   * indexes, caches. Never committed or pushed.
   */
  area(name: string): string {
    const dir = this.areaPath(name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** A file in a named `.git/ml/` area (`name` may hold `/`), or null when it is not there or cannot be read. */
  readAreaFile(area: string, name: string): Buffer | null {
    try {
      return readFileSync(join(this.areaPath(area), name));
    } catch {
      return null;
    }
  }

  /**
   * Writes a file in a named `.git/ml/` area atomically (a temporary file renamed into place, so a
   * reader sees the old content or the new, never part), making its folders. For derived state:
   * not fsynced.
   */
  writeAreaFile(area: string, name: string, data: string | Uint8Array): void {
    const file = join(this.areaPath(area), name);
    const dir = dirname(file);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }
  private madeDirs = new Set<string>();

  /** Removes a file from a named `.git/ml/` area (nothing happens when it is not there). */
  removeAreaFile(area: string, name: string): void {
    rmSync(join(this.areaPath(area), name), { force: true });
  }

  /** Where the named `.git/ml/` area is, without creating it (for areas made only when needed). */
  areaPath(name: string): string {
    return join(this.mlDir, name);
  }

  /** The ref `<prefix><any>/<name>` (e.g. a run id under any experiment), loose or packed, or null. */
  findRefOneLevelDown(prefix: string, name: string): string | null {
    return findRefOneLevelDown(this.location.commonDir, prefix, name);
  }

  /** A stamp of packed-refs and the ref directories named (one level): keys the registry's index. */
  refDirsStamp(prefixes: string[]): { stamp: string; newest: number } {
    return refDirsStamp(this.location.commonDir, prefixes);
  }

  /** A stamp of this work tree's index file (mtime and size), which `git add` and checkouts change; '-' when there is none. */
  indexStamp(): string {
    const st = statSync(join(this.location.gitDir, 'index'), { throwIfNoEntry: false });
    return st ? `${st.mtimeMs}|${st.size}` : '-';
  }

  /** A stamp that changes whenever refs under `prefix` may have changed: keys derived caches. */
  refsChangeStamp(prefix: string): ChangeStamp {
    return refsChangeStamp(this.location.commonDir, prefix);
  }

  /**
   * This clone's id (8 hex digits in `.git/ml/clone-id`, made on first use; never pushed): names
   * what is local to this clone, such as journal writers.
   */
  cloneId(): string {
    if (this.cachedCloneId) return this.cachedCloneId;
    const path = join(this.mlDir, 'clone-id');
    for (;;) {
      try {
        const id = readFileSync(path, 'utf8').trim();
        if (/^[0-9a-f]{8}$/.test(id)) return (this.cachedCloneId = id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      // create it once: write a temporary file, then link it into place (never over another's)
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${randomBytes(4).toString('hex')}\n`);
      try {
        linkSync(tmp, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        unlinkSync(tmp);
      }
    }
  }
  private cachedCloneId: string | undefined;

  /**
   * Before `tips` are pushed to `remote`: uploads (with `git lfs push`) the Git LFS objects that the
   * commits the remote lacks point to — every one of them, not only the latest records' — so the
   * remote's history never holds a pointer without its content. Asks the remote for its refs only
   * when this clone holds LFS objects at all; returns what the walk found.
   */
  uploadLfsObjects(remote: string, tips: string[]): LfsPushWalk {
    if (!this.lfs.inUse()) return { oids: [], commits: 0, absent: [] };
    const cwd = this.location.commonDir;
    const walk = lfsObjectsToPush(this.objects, this.lfs, cwd, tips, lsRemote(cwd, remote).values());
    this.lfs.push(remote, walk.oids);
    return walk;
  }

  head(): Head {
    return readHead(this.location.gitDir, this.refs);
  }

  /**
   * The commit that holds the code as it is now (a snapshot when the work tree is dirty), under the
   * snapshot settings of the environment and git config (an invalid one throws).
   */
  snapshotSource(): SourceSnapshot {
    const head = this.head().commit;
    if (!this.location.workTree) return { commit: head, head, dirty: false };
    const config = this.config();
    const settings = resolveSnapshotSettings(process.env, (name) => config.get(name));
    return snapshotWorkTree(this.location.gitDir, this.location.workTree, head, settings);
  }
}
