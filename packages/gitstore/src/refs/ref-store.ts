import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { isAlive, thisProcess, type ProcessIdentity } from '../repo/process-identity.js';
import { dirname, join } from 'node:path';
import { RefConflictError, RefLockedError } from '../errors.js';
import { formatPackedRefs, readPackedRefs } from './packed-refs.js';
import { assertRefName } from './ref-name.js';

const LOCK_OWNER = 'git-ml-lock-owner';
/** A lock left by a dead git-ml process is broken once it is this old (never a live writer's). */
const STALE_LOCK_MS = 1000;

const EMPTY_LOCK_MS = 2000;

function unlinkIfSame(lockPath: string, ino: number): boolean {
  const again = statSync(lockPath, { throwIfNoEntry: false });
  if (again && again.ino === ino) unlinkSync(lockPath);
  return true;
}

function breakStaleLock(lockPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'r');
  } catch {
    return true;
  }
  try {
    const st = fstatSync(fd);
    if (Date.now() - st.mtimeMs < STALE_LOCK_MS) return false;
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, 512, 0);
    const text = buf.toString('utf8', 0, n);
    // Empty: its creator died between creating it and writing its name (git-ml writes the owner at
    // once, C git the new value); after a while nobody alive can be holding it.
    if (n === 0 && Date.now() - st.mtimeMs > EMPTY_LOCK_MS) return unlinkIfSame(lockPath, st.ino);
    if (!text.startsWith(`${LOCK_OWNER} `)) return false;
    const owner = JSON.parse(text.slice(LOCK_OWNER.length + 1, text.indexOf('\n'))) as ProcessIdentity;
    if (isAlive(owner)) return false;
    return unlinkIfSame(lockPath, st.ino);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function readLooseRef(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** One ref update: `expect` undefined means "whatever it is now", null means "must not exist". */
export interface RefUpdate {
  ref: string;
  value: string | null;
  expect?: string | null;
}

/**
 * Refs the way C git's files backend keeps them — loose files that override `packed-refs` — with
 * updates that take git's own `<ref>.lock` files, so git-ml, `git gc`, `git pack-refs` and the
 * user's git never overwrite each other.
 */
export class RefStore {
  constructor(readonly commonDir: string, readonly lockTimeoutMs = 10_000) {}

  /** The oid a ref points at, following symbolic refs; null when it does not exist. */
  read(ref: string): string | null {
    for (let depth = 0; depth < 5; depth++) {
      // Loose before packed: `git pack-refs` writes packed-refs first, then deletes the loose file.
      const loose = readLooseRef(join(this.commonDir, ref));
      if (loose === null) return readPackedRefs(this.commonDir).refs.get(ref) ?? null;
      if (!loose.startsWith('ref: ')) return loose;
      ref = loose.slice(5);
    }
    return null;
  }

  /** Every ref under `prefix` (e.g. `refs/ml/runs/`) with its oid, loose and packed merged. */
  list(prefix: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (rel: string) => {
      let entries;
      try {
        entries = readdirSync(join(this.commonDir, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const name = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(name);
        else if (!e.name.endsWith('.lock')) {
          const v = readLooseRef(join(this.commonDir, name));
          if (v && !v.startsWith('ref: ')) out.set(name, v);
        }
      }
    };
    walk(prefix.replace(/\/$/, ''));
    for (const [name, oid] of readPackedRefs(this.commonDir).refs) {
      if (name.startsWith(prefix) && !out.has(name)) out.set(name, oid);
    }
    return out;
  }

  /**
   * Creates many new refs with one write of `packed-refs` (under `packed-refs.lock`, as
   * `git pack-refs` does) instead of a lock file and a rename per ref. Every ref must not exist yet,
   * neither loose, packed, nor being created (a `.lock`); otherwise nothing is written.
   */
  createPacked(refs: Map<string, string>): void {
    const path = join(this.commonDir, 'packed-refs');
    const fd = this.acquireLock('packed-refs', path);
    try {
      const packed = readPackedRefs(this.commonDir);
      for (const ref of refs.keys()) {
        assertRefName(ref);
        const loose = join(this.commonDir, ref);
        if (packed.refs.has(ref) || existsSync(loose) || existsSync(`${loose}.lock`)) {
          throw new RefConflictError(ref, null, packed.refs.get(ref) ?? readLooseRef(loose));
        }
      }
      const next = { header: packed.header, refs: new Map(packed.refs), peeled: new Map(packed.peeled) };
      for (const [ref, oid] of refs) next.refs.set(ref, oid);
      ftruncateSync(fd, 0);
      writeSync(fd, formatPackedRefs(next), 0);
      closeSync(fd);
      renameSync(`${path}.lock`, path);
    } catch (err) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      if (existsSync(`${path}.lock`)) unlinkSync(`${path}.lock`);
      throw err;
    }
  }

  transaction(): RefTransaction {
    return new RefTransaction(this);
  }

  /** Applies all updates or none: every expectation is checked under lock before anything moves. */
  update(updates: RefUpdate[]): void {
    const tx = this.transaction();
    try {
      for (const u of [...updates].sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
        const current = tx.lock(u.ref);
        if (u.expect !== undefined && u.expect !== current) throw new RefConflictError(u.ref, u.expect, current);
        tx.set(u.ref, u.value);
      }
      tx.commit();
    } finally {
      tx.release();
    }
  }

  /** @internal Creates `<path>.lock` exclusively, waiting for other holders up to the timeout. */
  acquireLock(ref: string, path: string): number {
    const lockPath = `${path}.lock`;
    const deadline = Date.now() + this.lockTimeoutMs;
    let wait = 1;
    for (;;) {
      try {
        const fd = openSync(lockPath, 'wx', 0o644);
        // Who holds it, so a lock left by a killed git-ml process can be broken (C git ignores the
        // content of others' lock files; ours is replaced by the new value before the rename).
        writeSync(fd, `${LOCK_OWNER} ${JSON.stringify(thisProcess())}\n`);
        return fd;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          mkdirSync(dirname(lockPath), { recursive: true });
          continue;
        }
        if (code !== 'EEXIST') throw err;
        if (breakStaleLock(lockPath)) continue;
        if (Date.now() >= deadline) throw new RefLockedError(ref, lockPath);
        sleepSync(wait + Math.random() * wait);
        wait = Math.min(wait * 2, 50);
      }
    }
  }
}

interface Held {
  ref: string;
  path: string;
  fd: number;
  current: string | null;
  value?: string | null;
}

/**
 * A multi-ref transaction with git's semantics: `lock()` each ref (reading its value under the
 * lock), `set()` new values, then `commit()` moves them all; `release()` drops whatever is held.
 */
export class RefTransaction {
  private held = new Map<string, Held>();
  constructor(private store: RefStore) {}

  lock(ref: string): string | null {
    assertRefName(ref);
    const existing = this.held.get(ref);
    if (existing) return existing.current;
    const path = join(this.store.commonDir, ref);
    const fd = this.store.acquireLock(ref, path);
    const h: Held = { ref, path, fd, current: null };
    this.held.set(ref, h);
    h.current = this.store.read(ref);
    return h.current;
  }

  set(ref: string, value: string | null): void {
    const h = this.held.get(ref);
    if (!h) throw new Error(`Internal error (a bug in git-ml): ${ref} set without lock`);
    h.value = value;
  }

  commit(): void {
    const changes = [...this.held.values()].filter((h) => h.value !== undefined);
    const deletes = changes.filter((h) => h.value === null);
    if (deletes.some((h) => readPackedRefs(this.store.commonDir).refs.has(h.ref))) this.rewritePacked(deletes.map((h) => h.ref));
    for (const h of changes) {
      if (h.value === null) continue;
      ftruncateSync(h.fd, 0);
      writeSync(h.fd, `${h.value}\n`, 0);
      closeSync(h.fd);
      h.fd = -1;
      renameSync(`${h.path}.lock`, h.path);
    }
    for (const h of deletes) {
      try {
        unlinkSync(h.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    this.release();
  }

  release(): void {
    for (const h of this.held.values()) {
      if (h.fd >= 0) {
        closeSync(h.fd);
        try {
          unlinkSync(`${h.path}.lock`);
        } catch {
          // already renamed into place
        }
      }
      if (h.value === null) pruneEmptyDirs(this.store.commonDir, dirname(h.path));
    }
    this.held.clear();
  }

  private rewritePacked(refs: string[]): void {
    const path = join(this.store.commonDir, 'packed-refs');
    const fd = this.store.acquireLock('packed-refs', path);
    try {
      const packed = readPackedRefs(this.store.commonDir);
      const next = { header: packed.header, refs: new Map(packed.refs), peeled: new Map(packed.peeled) };
      for (const r of refs) {
        next.refs.delete(r);
        next.peeled.delete(r);
      }
      ftruncateSync(fd, 0);
      writeSync(fd, formatPackedRefs(next), 0);
      closeSync(fd);
      renameSync(`${path}.lock`, path);
    } catch (err) {
      closeSync(fd);
      if (existsSync(`${path}.lock`)) unlinkSync(`${path}.lock`);
      throw err;
    }
  }
}

function pruneEmptyDirs(commonDir: string, dir: string): void {
  const stop = join(commonDir, 'refs');
  while (dir.startsWith(stop) && dir !== stop) {
    try {
      rmdirSync(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}
