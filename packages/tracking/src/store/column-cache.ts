import type { GitStore } from '@git-ml/gitstore';
import type { MetricColumns } from './metric-lines.js';

/**
 * Parsed metric-history chunks on disk, so a new process reads a long history without parsing its
 * text: `.git/ml/metric-columns/<oid[0:2]>/<oid[2:]>` holds the points of the full chunk blob `<oid>`
 * as three float64 columns, written by the fold that made the chunk or by the first reader. Open
 * chunks (which the next fold replaces) and format-1 files are parsed each time. A chunk blob never changes (its name is its content's hash), so an entry is
 * never stale. The cache is derived and local, like git's index: never committed or pushed, safe to
 * delete at any time, and skipped silently when it cannot be written (read-only `.git`, full disk).
 *
 * File layout (little-endian): `GMC1`, u32 point count, f64 the blob's size in bytes (checked against
 * the object on read), then the step, timestamp and value columns. A file whose size or header does
 * not match is ignored and replaced.
 */
const MAGIC = 0x31434d47; // 'GMC1' read as a little-endian u32
const HEADER = 16;
const AREA = 'metric-columns';

/** The cache of the repository `git` opens (one per store). */
export function columnCacheOf(git: GitStore): ColumnCache {
  let c = caches.get(git);
  if (!c) caches.set(git, (c = new ColumnCache(git)));
  return c;
}
const caches = new WeakMap<GitStore, ColumnCache>();

export class ColumnCache {
  constructor(private git: GitStore) {}

  private name(oid: string): string {
    return `${oid.slice(0, 2)}/${oid.slice(2)}`;
  }

  /** The cached columns of chunk blob `oid`, or null when there is no (valid) entry. */
  get(oid: string): MetricColumns | null {
    const buf = this.git.readAreaFile(AREA, this.name(oid));
    if (!buf || buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC) return null;
    const n = buf.readUInt32LE(4);
    if (buf.length !== HEADER + 24 * n || buf.readDoubleLE(8) !== this.git.objects.size(oid)) return null;
    // float64 views need 8-byte alignment: a small file may come from Node's shared pool
    const bytes = buf.byteOffset % 8 === 0 ? buf : new Uint8Array(buf);
    const at = (k: number) => new Float64Array(bytes.buffer, bytes.byteOffset + HEADER + 8 * n * k, n);
    return { step: at(0), timestamp: at(1), value: at(2) };
  }

  /** Stores the columns of chunk blob `oid` (of `blobSize` bytes); best effort. */
  put(oid: string, blobSize: number, cols: MetricColumns): void {
    const n = cols.value.length;
    const buf = Buffer.allocUnsafe(HEADER + 24 * n);
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(n, 4);
    buf.writeDoubleLE(blobSize, 8);
    const out = new Float64Array(buf.buffer, buf.byteOffset + HEADER, 3 * n);
    out.set(cols.step, 0);
    out.set(cols.timestamp, n);
    out.set(cols.value, 2 * n);
    try {
      this.git.writeAreaFile(AREA, this.name(oid), buf);
    } catch {
      // read-only .git, full disk: the chunk is parsed next time
    }
  }
}
