import { join } from 'node:path';
import { ObjectNotFoundError, CorruptObjectError } from '../errors.js';
import { PackStore, writePack } from '../pack/index.js';
import { decodeCommit, decodeTag, encodeCommit, encodeTag, type Commit, type Tag } from './commit.js';
import type { ObjectType } from './hash.js';
import { looseSize, readLoose, writeLoose } from './loose.js';
import { decodeTree, encodeTree, type TreeEntry } from './tree.js';

export interface RawObject {
  type: ObjectType;
  data: Buffer;
  /** precomputed id, trusted when writing */
  oid?: string;
}

/** Writing this many objects or more at once goes into one packfile instead of loose files. */
const PACK_THRESHOLD = 256;

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
    this.packs = new PackStore(objectsDir, { resolveExternal: (oid) => readLoose(objectsDir, oid) });
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

  /** The size of an object's content; for a loose object only its header is read (packed ones are read whole). */
  size(oid: string): number {
    return looseSize(this.dir, oid) ?? this.read(oid).data.length;
  }

  has(oid: string): boolean {
    return this.tryRead(oid) !== null;
  }

  write(type: ObjectType, data: Buffer): string {
    return writeLoose(this.dir, type, data, this.knownDirs);
  }

  /** Writes many objects: one pack when there are enough of them to make loose files wasteful. */
  writeMany(objects: RawObject[]): string[] {
    if (objects.length < PACK_THRESHOLD) return objects.map((o) => this.write(o.type, o.data));
    // Objects that already exist elsewhere may be packed again: git allows duplicates, gc drops them.
    const { oids } = writePack(this.dir, objects);
    this.packs.refresh();
    return oids;
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
