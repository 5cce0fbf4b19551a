import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GitMlError } from '../errors.js';
import { gitReason, runGitSync, runGitToFile } from '../repo/git-process.js';
import { encodePointer, type LfsPointer } from './pointer.js';

let counter = 0;

/**
 * The Git LFS object store of a repository, `.git/lfs/objects/<aa>/<bb>/<sha256>`, laid out exactly
 * as `git lfs` lays it out, so `git lfs` (push, fetch, fsck) and git-ml share it. Moving objects to
 * and from remotes goes through the `git-lfs` binary (Debian/Ubuntu: `apt install git-lfs`).
 */
export class LfsStore {
  readonly dir: string;
  private lfsVersion: string | null | undefined;

  constructor(
    commonDir: string,
    /** where git commands run (the work tree, or the git dir of a bare repository) */
    private cwd: string,
  ) {
    this.dir = join(commonDir, 'lfs');
  }

  objectPath(oid: string): string {
    return join(this.dir, 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
  }

  /** True when the content of `p` is here, with the pointer's size. */
  has(p: LfsPointer): boolean {
    return statSync(this.objectPath(p.oid), { throwIfNoEntry: false })?.size === p.size;
  }

  /** True when this repository holds any LFS object (so pushes must upload them). */
  inUse(): boolean {
    return existsSync(join(this.dir, 'objects'));
  }

  /** `git lfs version`, or null when git-lfs is not installed (checked once). */
  version(): string | null {
    if (this.lfsVersion === undefined) {
      try {
        const r = runGitSync(['lfs', 'version'], { cwd: this.cwd });
        this.lfsVersion = r.status === 0 ? r.stdout.trim() : null;
      } catch {
        this.lfsVersion = null;
      }
    }
    return this.lfsVersion;
  }

  /**
   * Moves a file's content into the store without holding it in memory (hashed with sha256 as it
   * streams into a temporary file, then renamed into place) and returns its pointer blob's bytes.
   */
  async storeFile(file: string): Promise<{ pointer: LfsPointer; blob: Buffer }> {
    const { size } = await stat(file);
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `git-ml-${process.pid}-${++counter}`);
    const hash = createHash('sha256');
    let seen = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(file), tap, createWriteStream(tmp, { mode: 0o444 }));
      if (seen !== size) throw new GitMlError('FILE_CHANGED', `${file} changed size while it was being stored (${size} → ${seen} bytes). Log it again once it is complete.`, { file });
      const pointer = { oid: hash.digest('hex'), size };
      const dest = this.objectPath(pointer.oid);
      if (this.has(pointer)) await unlink(tmp);
      else {
        await mkdir(dirname(dest), { recursive: true });
        await rename(tmp, dest);
      }
      return { pointer, blob: encodePointer(pointer) };
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Writes the content of `p` to `dest`: copied from the store, else downloaded with `git lfs smudge`
   * (from the remote git-lfs uses: `lfs.url`, else the branch's remote, else origin), which also
   * keeps it in the store. `name` is the path shown in errors.
   */
  async writeTo(p: LfsPointer, dest: string, name: string): Promise<void> {
    await mkdir(dirname(dest), { recursive: true });
    if (this.has(p)) {
      await copyFile(this.objectPath(p.oid), dest);
      return;
    }
    const what = `${name} is stored with Git LFS (sha256 ${p.oid.slice(0, 12)}…, ${p.size} bytes) and its content is not in ${join(this.dir, 'objects')}`;
    if (!this.version()) {
      throw new GitMlError('LFS_OBJECT_MISSING', `${what}. Install git-lfs (e.g. \`apt install git-lfs\` or \`brew install git-lfs\`) so git-ml can download it from the remote, then retry.`, { oid: p.oid, name });
    }
    const r = await runGitToFile(['lfs', 'smudge', '--', name], dest, { cwd: this.cwd, input: encodePointer(p) });
    if (r.status !== 0 || statSync(dest).size !== p.size) {
      await unlink(dest).catch(() => undefined);
      throw new GitMlError('LFS_OBJECT_MISSING', `${what}, and git lfs could not download it: ${gitReason(r)}. Check that the remote has it (\`git lfs ls-files\` on a clone that logged it, then \`git-ml push\` there).`, { oid: p.oid, name });
    }
  }

  /** Uploads the objects with `git lfs push --object-id` (those the remote has are skipped by git-lfs). */
  push(remote: string, oids: string[]): void {
    if (oids.length === 0) return;
    if (!this.version()) {
      throw new GitMlError('LFS_NOT_INSTALLED', `Runs to push hold artifacts stored with Git LFS, but git-lfs is not installed, so their content cannot be uploaded. Install it (e.g. \`apt install git-lfs\`) and push again.`, { remote });
    }
    for (let i = 0; i < oids.length; i += 100) {
      const r = runGitSync(['lfs', 'push', '--object-id', remote, ...oids.slice(i, i + 100)], { cwd: this.cwd, purpose: 'git lfs push uploads artifacts stored with Git LFS' });
      if (r.status !== 0) throw new GitMlError('LFS_PUSH_FAILED', `git lfs push ${remote} failed: ${gitReason(r)}. Nothing was pushed; fix that and push again.`, { remote });
    }
  }
}
