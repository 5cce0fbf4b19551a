import { hashObject, type GitStore, type ObjectType, type RawObject } from '@git-ml/gitstore';
import { columnCacheOf } from './column-cache.js';
import { parseMetricColumns } from './metric-lines.js';

/**
 * Where a fold puts new objects: collected, then written in one go as one pack (folding a thousand
 * runs costs one file instead of ten thousand). The pack carries a `.keep` file until `settle()`,
 * after the refs moved: a concurrent `git gc --prune=now` / `git repack -ad` can neither delete it nor
 * prune its objects in the window when no ref points at them yet.
 */
export class ObjectSink {
  private pending = new Map<string, RawObject>();
  /** written by the last `flush`, kept until `settle` has checked they are still there */
  private written: RawObject[] = [];
  private keeps: (() => void)[] = [];
  constructor(private git: GitStore) {}

  add(type: ObjectType, data: Buffer): string {
    const oid = hashObject(type, data);
    if (!this.pending.has(oid)) this.pending.set(oid, { type, data, oid });
    return oid;
  }

  /** A full (final) metric chunk was added: its parsed points go to the on-disk column cache. */
  fullChunk(oid: string, blobSize: number, text: string): void {
    columnCacheOf(this.git).put(oid, blobSize, parseMetricColumns(text));
  }

  /** Reads an object whether it is still pending here or already in the repository. */
  read(oid: string): RawObject {
    return this.pending.get(oid) ?? this.git.objects.read(oid);
  }

  get size(): number {
    return this.pending.size;
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const objects = [...this.pending.values()];
    // one pack, kept from `git gc` until the refs point at it (see settle)
    this.keeps.push(this.git.objects.writeKeptPack(objects).release);
    // a loop, not push(...objects): a fold of 10 000 runs writes 140 000 objects, past the argument limit
    for (const o of objects) this.written.push(o);
    this.pending.clear();
  }

  /**
   * Called after the refs moved: checks that every object written is still in the repository and
   * writes again any that are not. A `git gc --prune=now` or `git repack -ad` that ran between the
   * write and the ref update (git calls both unsafe beside writers) may have deleted them as
   * unreachable; now that refs point at them, writing them again makes the refs whole.
   */
  settle(): void {
    for (let attempt = 0; attempt < 3 && this.written.length > 0; attempt++) {
      const missing = new Set(this.git.objects.missing(this.written.map((o) => o.oid!)));
      this.written = this.written.filter((o) => missing.has(o.oid!));
      if (this.written.length > 0) this.git.objects.writeMany(this.written);
    }
    this.written = [];
    for (const release of this.keeps.splice(0)) release();
  }

  /** Drops the `.keep` protection without checking (a fold that did not move its refs). */
  discard(): void {
    this.written = [];
    for (const release of this.keeps.splice(0)) release();
  }
}
