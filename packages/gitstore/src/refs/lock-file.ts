import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { isAlive, thisProcess, type ProcessIdentity } from '../repo/process-identity.js';

const LOCK_OWNER = 'git-ml-lock-owner';
/** A `.value` file with no owner file left is an orphan once it is this old. */
const ORPHAN_VALUE_MS = 60_000;

/**
 * git-ml's side of C git's `<ref>.lock` protocol, built so that a lock left by a killed git-ml
 * process is recognisable in every state it can be left in.
 *
 * - Each process keeps one **owner file** `.git/ml/locks/<pid>-<random>.owner` holding
 *   `git-ml-lock-owner {"pid":…,"host":…,"start":…}`. A lock is taken with `link(owner, <ref>.lock)`:
 *   one atomic, exclusive step that creates the lock *with* its content — it is never empty.
 * - The lock's content never changes. The new value is written to `.git/ml/locks/<…>.value` and
 *   renamed over the ref while the lock is held; then the lock is removed.
 *
 * So a git-ml lock always names its owner, and one whose owner is gone (same host, pid not running
 * or running a different process) is broken. Any other lock file — C git's, holding an id or
 * nothing — is never broken: only its owner or the user removes it.
 */
export class LockFiles {
  private readonly dir: string;

  constructor(commonDir: string) {
    this.dir = join(commonDir, 'ml', 'locks');
  }

  /** Creates `lockPath` holding this process's owner marker; false when it already exists. */
  tryCreate(lockPath: string): boolean {
    for (let attempt = 0; ; attempt++) {
      const owner = `${this.ownerBase()}.owner`;
      try {
        linkSync(owner, lockPath);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code === 'ENOENT' && attempt < 3) {
          if (!existsSync(owner)) ownerBases.delete(this.dir); // someone removed .git/ml/locks: make a new one
          else mkdirSync(dirname(lockPath), { recursive: true });
          continue;
        }
        // File systems without hard links: exclusive create, then the marker (a kill in between
        // leaves an empty lock, which is reported, never broken).
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'EMLINK' || code === 'ENOSYS') {
          return this.createByWrite(lockPath);
        }
        throw err;
      }
    }
  }

  /** Writes `content` to `target` by an atomic rename (the caller holds `target`'s lock). */
  replace(target: string, content: string): void {
    const tmp = `${this.ownerBase()}.value`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  }

  /** Removes a lock this process created. */
  release(lockPath: string): void {
    try {
      unlinkSync(lockPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /**
   * Removes `lockPath` when it is git-ml's and its owner is no longer running. Returns true when
   * the lock is gone (broken here or meanwhile), false when someone may still hold it.
   */
  breakIfStale(lockPath: string): boolean {
    let text: string;
    let ino: number;
    try {
      ino = statSync(lockPath).ino;
      text = readFileSync(lockPath, 'utf8');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT';
    }
    const owner = parseOwner(text);
    if (!owner || isAlive(owner)) return false;
    const again = statSync(lockPath, { throwIfNoEntry: false });
    if (again && again.ino === ino) this.release(lockPath);
    return true;
  }

  private createByWrite(lockPath: string): boolean {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      writeSync(fd, ownerMarker());
    } finally {
      closeSync(fd);
    }
    return true;
  }

  private ownerBase(): string {
    const known = ownerBases.get(this.dir);
    if (known) return known;
    mkdirSync(this.dir, { recursive: true });
    this.removeDeadOwners();
    const base = join(this.dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    const fd = openSync(`${base}.owner`, 'wx', 0o644);
    try {
      writeSync(fd, ownerMarker());
    } finally {
      closeSync(fd);
    }
    if (ownerBases.size === 0) process.once('exit', removeOwnFiles);
    ownerBases.set(this.dir, base);
    return base;
  }

  /** Owner and value files of processes that no longer run (their locks, if any, stay until broken). */
  private removeDeadOwners(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const owners = new Set(names.filter((n) => n.endsWith('.owner')).map((n) => n.slice(0, -6)));
    for (const b of owners) {
      let owner: ProcessIdentity | null = null;
      try {
        owner = parseOwner(readFileSync(join(this.dir, `${b}.owner`), 'utf8'));
      } catch {
        continue;
      }
      if (owner && !isAlive(owner)) {
        for (const ext of ['.value', '.owner']) tryUnlink(join(this.dir, b + ext));
        owners.delete(b);
      }
    }
    for (const n of names) {
      if (!n.endsWith('.value') || owners.has(n.slice(0, -6))) continue;
      const st = statSync(join(this.dir, n), { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > ORPHAN_VALUE_MS) tryUnlink(join(this.dir, n));
    }
  }
}

function ownerMarker(): string {
  return `${LOCK_OWNER} ${JSON.stringify(thisProcess())}\n`;
}

function parseOwner(text: string): ProcessIdentity | null {
  if (!text.startsWith(`${LOCK_OWNER} `) || !text.endsWith('\n')) return null;
  try {
    const p = JSON.parse(text.slice(LOCK_OWNER.length + 1, -1)) as ProcessIdentity;
    return typeof p.pid === 'number' && typeof p.host === 'string' ? p : null;
  } catch {
    return null;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

/** This process's owner file per `.git/ml/locks` directory (one per repository, shared by every RefStore). */
const ownerBases = new Map<string, string>();

function removeOwnFiles(): void {
  for (const base of ownerBases.values()) {
    tryUnlink(`${base}.value`);
    tryUnlink(`${base}.owner`);
  }
}
