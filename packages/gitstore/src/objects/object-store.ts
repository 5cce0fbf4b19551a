import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ObjectNotFoundError, CorruptObjectError } from '../errors.js';
import { mergePacks, PackStore, writePack } from '../pack/index.js';
import { decodeCommit, decodeTag, encodeCommit, encodeTag, type Commit, type Tag } from './commit.js';
import type { ObjectType } from './hash.js';
import { loosePath, readLoose, readLooseHeader, writeLoose } from './loose.js';
import { decodeTree, encodeTree, type TreeEntry } from './tree.js';

export interface RawObject {
  type: ObjectType;
  data: Buffer;
  /** precomputed id, trusted when writing */
  oid?: string;
}

interface OwnPack {
  path: string;
  oids: string[];
  tier: number;
}

/** Packs of one tier merged into one pack of the next. */
const COMPACT_FANIN = 8;

/** Writing this many objects or more at once goes into one packfile instead of loose files. */
const PACK_THRESHOLD = 16;

/**
 * Reads and writes git objects with Node's own zlib and crypto: loose objects first (where new
 * writes go), then packfiles (where `git gc` moves them). Everything is synchronous so that a
 * process can still fold its journal inside an `exit` handler.
 */
export class ObjectStore {
  readonly dir: string;
  private packs: PackStore;
  private knownDirs = new Set<string>();

  constructor(objectsDir: string) {
    this.dir = objectsDir;
    this.packs = new PackStore(objectsDir, {
      resolveExternal: (oid) => readLoose(objectsDir, oid),
      externalType: (oid) => readLooseHeader(objectsDir, oid)?.type ?? null,
    });
  }

  /** Reads an object wherever it is stored, or returns null when the repository does not have it. */
  tryRead(oid: string): RawObject | null {
    const loose = readLoose(this.dir, oid);
    if (loose) return loose;
    const packed = this.packs.read(oid);
    if (packed) return packed;
    // A concurrent `git gc` may have packed the loose object and pruned it since we looked.
    this.packs.refresh();
    return this.packs.read(oid) ?? readLoose(this.dir, oid);
  }

  read(oid: string, expected?: ObjectType): RawObject {
    const obj = this.tryRead(oid);
    if (!obj) throw new ObjectNotFoundError(oid, expected);
    if (expected && obj.type !== expected) throw new CorruptObjectError(`object ${oid}`, `expected a ${expected}, found a ${obj.type}`);
    return obj;
  }

  /**
   * An object's type and size from its header, never its content: a loose object's first bytes are
   * inflated until the header ends; a packed one's entry header is read (and, for a delta, the
   * result size at the start of the delta). Costs the same for a 1 KB and a 10 GB blob.
   */
  header(oid: string): { type: ObjectType; size: number } {
    const h = readLooseHeader(this.dir, oid) ?? this.packs.header(oid) ?? (this.packs.refresh(), this.packs.header(oid) ?? readLooseHeader(this.dir, oid));
    if (!h) throw new ObjectNotFoundError(oid);
    return h;
  }

  /** Where a packed object stored whole lies in its pack (for streaming it); null when loose, missing or a delta. */
  packedWholeEntry(oid: string): { packPath: string; start: number; end: number; type: ObjectType; size: number } | null {
    return this.packs.wholeEntry(oid);
  }

  /** The size in bytes of an object's content (`git cat-file -s`), read from its header. */
  size(oid: string): number {
    return this.header(oid).size;
  }

  has(oid: string): boolean {
    return this.tryRead(oid) !== null;
  }

  /**
   * The ids among `oids` that the repository does not hold right now (packs rescanned first). Cheap:
   * an index lookup per object, and a stat for those in no pack; object data is never read.
   */
  missing(oids: Iterable<string>): string[] {
    this.packs.refresh();
    const out: string[] = [];
    for (const oid of oids) if (!this.packs.has(oid) && !existsSync(loosePath(this.dir, oid))) out.push(oid);
    return out;
  }

  write(type: ObjectType, data: Buffer): string {
    return writeLoose(this.dir, type, data, this.knownDirs);
  }

  /**
   * Writes many objects: one pack when there are more than a handful (loose files for a few). Packs
   * this process wrote are merged in tiers (eight of a tier become one of the next), so a long run
   * that folds every second leaves a few packs behind, not thousands, and each object is rewritten
   * only log8(folds) times.
   */
  writeMany(objects: RawObject[]): string[] {
    if (objects.length < PACK_THRESHOLD) return objects.map((o) => this.write(o.type, o.data));
    // Objects that already exist elsewhere may be packed again: git allows duplicates, gc drops them.
    const { oids, packPath } = writePack(this.dir, objects);
    this.packs.refresh();
    if (packPath) this.compact({ path: packPath, oids: [...new Set(oids)], tier: 0 });
    return oids;
  }

  /**
   * Writes objects as one pack protected by a `.keep` file until `release()`: a `git gc` or
   * `git repack -a -d` running meanwhile neither deletes the pack nor prunes its objects while no
   * ref points at them yet. Call `release()` once refs point at the objects.
   */
  writeKeptPack(objects: RawObject[]): { oids: string[]; release(): void } {
    const { oids, packPath } = writePack(this.dir, objects, { keep: `git-ml ${process.pid}\n` });
    this.packs.refresh();
    let released = !packPath;
    return {
      oids,
      release: () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(packPath.replace(/\.pack$/, '.keep'));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        this.compact({ path: packPath, oids: [...new Set(oids)], tier: 0 });
      },
    };
  }

  /**
   * Removes `.keep` files that a git-ml process left on its packs when it was killed between
   * writing a pack and moving its refs (files of other tools are never touched).
   */
  releaseStaleKeeps(): void {
    const dir = join(this.dir, 'pack');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.keep')) continue;
      let text: string;
      try {
        text = readFileSync(join(dir, name), 'utf8');
      } catch {
        continue;
      }
      const m = /^git-ml (\d+)\n$/.exec(text);
      if (!m || Number(m[1]) === process.pid) continue;
      try {
        process.kill(Number(m[1]), 0);
        continue; // still running
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      }
      try {
        unlinkSync(join(dir, name));
      } catch {
        // gone already
      }
    }
  }

  private ownPacks: OwnPack[] = [];

  private compact(added: OwnPack): void {
    this.ownPacks.push(added);
    for (let tier = 0; ; tier++) {
      const same = this.ownPacks.filter((p) => p.tier === tier);
      if (same.length < COMPACT_FANIN) return;
      const oids = [...new Set(same.flatMap((p) => p.oids))];
      // our packs hold whole objects: their entries are copied as they are
      let packPath = mergePacks(this.dir, same.map((p) => p.path))?.packPath;
      if (!packPath) {
        // a pack is gone (a concurrent `git repack -ad` moved its objects): read them wherever they are now
        const objects: RawObject[] = [];
        for (const oid of oids) {
          const o = this.packs.read(oid) ?? this.tryRead(oid);
          // gone altogether — leave these packs alone
          if (!o) return;
          objects.push({ type: o.type, data: o.data, oid });
        }
        packPath = writePack(this.dir, objects).packPath;
      }
      this.ownPacks = this.ownPacks.filter((p) => !same.includes(p));
      this.ownPacks.push({ path: packPath, oids, tier: tier + 1 });
      // the new pack is in place: the old ones go (.pack first — an .idx without its pack reads as being deleted)
      for (const p of same) {
        if (p.path === packPath) continue;
        for (const f of [p.path, p.path.replace(/\.pack$/, '.idx')]) {
          try {
            unlinkSync(f);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        }
      }
      this.packs.refresh();
    }
  }

  readBlob(oid: string): Buffer {
    return this.read(oid, 'blob').data;
  }

  readTree(oid: string): TreeEntry[] {
    return decodeTree(this.read(oid, 'tree').data, oid);
  }

  readCommit(oid: string): Commit {
    return decodeCommit(this.read(oid, 'commit').data, oid);
  }

  readTag(oid: string): Tag {
    return decodeTag(this.read(oid, 'tag').data, oid);
  }

  writeTree(entries: TreeEntry[]): string {
    return this.write('tree', encodeTree(entries));
  }

  writeCommit(c: Commit): string {
    return this.write('commit', encodeCommit(c));
  }

  writeTag(t: Tag): string {
    return this.write('tag', encodeTag(t));
  }
}

export function objectsDirOf(commonDir: string): string {
  return join(commonDir, 'objects');
}
