import { hashObject, type GitStore, type ObjectType, type RawObject } from '@git-ml/gitstore';

/**
 * Where a fold puts new objects: collected, then written in one go (a pack when there are many),
 * so folding a thousand runs costs one file instead of ten thousand.
 */
export class ObjectSink {
  private pending = new Map<string, RawObject>();
  constructor(private git: GitStore) {}

  add(type: ObjectType, data: Buffer): string {
    const oid = hashObject(type, data);
    if (!this.pending.has(oid)) this.pending.set(oid, { type, data, oid });
    return oid;
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
    this.git.objects.writeMany([...this.pending.values()]);
    this.pending.clear();
  }
}
