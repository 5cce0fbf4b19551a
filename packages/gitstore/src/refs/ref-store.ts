import { existsSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RefConflictError, RefLockedError } from '../errors.js';
import { LockFiles } from './lock-file.js';
import { readSmallFile } from './small-file.js';
import { formatPackedRefs, packedRefsPath, readPackedRefs, readPackedRefsForRewrite } from './packed-refs.js';
import { assertRefName } from './ref-name.js';

const PACKED_CREATE_MIN = 8;
const PACKED_CREATE_PER = 256;

/** From this many refs in one directory, `taken` reads the directory instead of a stat per ref. */
const READDIR_MIN = 16;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function readLooseRef(path: string): string | null {
  return readSmallFile(path);
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
  constructor(readonly commonDir: string, readonly lockTimeoutMs = 10_000) {
    this.locks = new LockFiles(commonDir);
  }

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
   * Whether creating `count` new refs with `createPacked` beats a lock file and a rename each: from
   * PACKED_CREATE_MIN refs on, and from one per PACKED_CREATE_PER refs already packed (that write
   * rewrites the whole file, so a few new refs in a big repository go loose).
   */
  packedCreateWorthIt(count: number): boolean {
    return count >= PACKED_CREATE_MIN && count >= readPackedRefs(this.commonDir).refs.size / PACKED_CREATE_PER;
  }

  /**
   * The refs among `refs` that exist (loose or packed) or are being written (a `.lock` is there).
   * Many refs in one directory cost one `readdir` of it, not a file read per ref.
   */
  taken(refs: Iterable<string>): Set<string> {
    const packed = readPackedRefs(this.commonDir);
    const byDir = new Map<string, string[]>();
    for (const ref of refs) {
      const dir = dirname(ref);
      const list = byDir.get(dir);
      if (list) list.push(ref);
      else byDir.set(dir, [ref]);
    }
    const out = new Set<string>();
    for (const [dir, list] of byDir) {
      let names: Set<string> | null = null;
      if (list.length >= READDIR_MIN) {
        try {
          names = new Set(readdirSync(join(this.commonDir, dir)));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
          names = new Set();
        }
      }
      for (const ref of list) {
        const loose = join(this.commonDir, ref);
        const base = basename(ref);
        const there = names ? names.has(base) || names.has(`${base}.lock`) : existsSync(loose) || existsSync(`${loose}.lock`);
        if (there || packed.refs.has(ref)) out.add(ref);
      }
    }
    return out;
  }

  /**
   * Creates many new refs with one write of `packed-refs` (under `packed-refs.lock`, as
   * `git pack-refs` does) instead of a lock file and a rename per ref. Every ref must not exist yet,
   * neither loose, packed, nor being created (a `.lock`); otherwise nothing is written.
   */
  createPacked(refs: Map<string, string>): void {
    const path = packedRefsPath(this.commonDir);
    this.acquireLock('packed-refs', path);
    try {
      const packed = readPackedRefs(this.commonDir);
      for (const ref of refs.keys()) assertRefName(ref);
      for (const ref of this.taken(refs.keys())) throw new RefConflictError(ref, null, packed.refs.get(ref) ?? readLooseRef(join(this.commonDir, ref)));
      if (!packed.damage) {
        const next = { header: packed.header, refs: new Map(packed.refs), peeled: new Map(packed.peeled) };
        for (const [ref, oid] of refs) next.refs.set(ref, oid);
        this.locks.replace(path, formatPackedRefs(next));
        return;
      }
    } finally {
      this.locks.release(`${path}.lock`);
    }
    // A damaged packed-refs is never rewritten (readPackedRefs has warned): new refs go loose.
    this.update([...refs].map(([ref, value]) => ({ ref, value, expect: null })));
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

  /** @internal git-ml's lock files (see lock-file.ts for how a dead holder's lock is recognised). */
  readonly locks: LockFiles;

  /** @internal Creates `<path>.lock` exclusively, waiting for other holders up to the timeout. */
  acquireLock(ref: string, path: string): void {
    const lockPath = `${path}.lock`;
    const deadline = Date.now() + this.lockTimeoutMs;
    let wait = 1;
    for (;;) {
      if (this.locks.tryCreate(lockPath)) return;
      if (this.locks.breakIfStale(lockPath)) continue;
      if (Date.now() >= deadline) throw new RefLockedError(ref, lockPath);
      sleepSync(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 50);
    }
  }
}

interface Held {
  ref: string;
  path: string;
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
    this.store.acquireLock(ref, path);
    const h: Held = { ref, path, current: null };
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
    // The lock keeps its owner marker to the end; the value reaches the ref by its own rename.
    for (const h of changes) if (h.value != null) this.store.locks.replace(h.path, `${h.value}\n`);
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
      this.store.locks.release(`${h.path}.lock`);
      if (h.value === null) pruneEmptyDirs(this.store.commonDir, dirname(h.path));
    }
    this.held.clear();
  }

  private rewritePacked(refs: string[]): void {
    const path = packedRefsPath(this.store.commonDir);
    this.store.acquireLock('packed-refs', path);
    try {
      const packed = readPackedRefsForRewrite(this.store.commonDir);
      const next = { header: packed.header, refs: new Map(packed.refs), peeled: new Map(packed.peeled) };
      for (const r of refs) {
        next.refs.delete(r);
        next.peeled.delete(r);
      }
      this.store.locks.replace(path, formatPackedRefs(next));
    } finally {
      this.store.locks.release(`${path}.lock`);
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
