import { CorruptPackError } from '../errors.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const V2_MAGIC = 0xff744f63;
const FANOUT_BYTES = 256 * 4;
const TRAILER_BYTES = 40;

/**
 * An in-memory pack index (`.idx`, version 1 or 2): maps object ids to their
 * offsets in the companion `.pack` by binary search within the fanout bucket.
 */
export class PackIndex {
  readonly count: number;
  /** Copy of the pack's trailing checksum, used to check the pack matches. */
  readonly packChecksum: Buffer;
  private readonly version: 1 | 2;
  private readonly fanoutAt: number;
  private readonly namesAt: number;
  private readonly nameStride: number;
  private readonly offsetsAt: number;
  private readonly largeAt: number;
  private sorted: Float64Array | undefined;

  constructor(
    private readonly buf: Buffer,
    readonly path: string,
  ) {
    const fail = (why: string): never => {
      throw new CorruptPackError(path, why);
    };
    if (buf.length < FANOUT_BYTES + TRAILER_BYTES) fail(`file too small (${buf.length} bytes)`);
    this.version = buf.readUInt32BE(0) === V2_MAGIC ? 2 : 1;
    if (this.version === 2) {
      const v = buf.readUInt32BE(4);
      if (v !== 2) fail(`unsupported index version ${v}`);
      if (buf.length < 8 + FANOUT_BYTES + TRAILER_BYTES) fail(`file too small (${buf.length} bytes)`);
    }
    this.fanoutAt = this.version === 2 ? 8 : 0;
    let prev = 0;
    for (let i = 0; i < 256; i++) {
      const n = buf.readUInt32BE(this.fanoutAt + 4 * i);
      if (n < prev) fail('fanout table is not monotonic');
      prev = n;
    }
    const n = prev;
    this.count = n;
    const body = this.fanoutAt + FANOUT_BYTES;
    if (this.version === 2) {
      this.namesAt = body;
      this.nameStride = 20;
      this.offsetsAt = body + n * 24;
      this.largeAt = body + n * 28;
      const min = this.largeAt + TRAILER_BYTES;
      const max = min + (n > 0 ? (n - 1) * 8 : 0);
      if (buf.length < min || buf.length > max || (buf.length - min) % 8 !== 0) {
        fail(`size ${buf.length} does not fit ${n} objects`);
      }
    } else {
      this.namesAt = body + 4;
      this.nameStride = 24;
      this.offsetsAt = body;
      this.largeAt = -1;
      if (buf.length !== body + n * 24 + TRAILER_BYTES) fail(`size ${buf.length} does not fit ${n} objects`);
    }
    this.packChecksum = buf.subarray(buf.length - TRAILER_BYTES, buf.length - 20);
  }

  /** Reads and structurally validates an index file. */
  static load(path: string): PackIndex {
    return new PackIndex(readFileSync(path), path);
  }

  /** Position of `oid` (20 raw bytes) in the index, or -1. */
  find(oid: Buffer): number {
    const first = oid[0];
    let lo = first === 0 ? 0 : this.buf.readUInt32BE(this.fanoutAt + 4 * (first - 1));
    let hi = this.buf.readUInt32BE(this.fanoutAt + 4 * first);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.namesAt + mid * this.nameStride;
      const c = oid.compare(this.buf, at, at + 20);
      if (c === 0) return mid;
      if (c < 0) hi = mid;
      else lo = mid + 1;
    }
    return -1;
  }

  /** The CRC-32 of the entry at `pos` as stored (version 2 only; null for version 1, which keeps none). */
  crcAt(pos: number): number | null {
    if (this.version !== 2) return null;
    return this.buf.readUInt32BE(this.namesAt + this.count * 20 + pos * 4);
  }

  oidAt(pos: number): string {
    const at = this.namesAt + pos * this.nameStride;
    return this.buf.toString('hex', at, at + 20);
  }

  offsetAt(pos: number): number {
    if (this.version === 1) return this.buf.readUInt32BE(this.offsetsAt + pos * 24);
    const small = this.buf.readUInt32BE(this.offsetsAt + pos * 4);
    if ((small & 0x80000000) === 0) return small;
    const at = this.largeAt + (small & 0x7fffffff) * 8;
    if (at + 8 > this.buf.length - TRAILER_BYTES) {
      throw new CorruptPackError(this.path, `64-bit offset entry ${small & 0x7fffffff} out of range`);
    }
    const big = this.buf.readBigUInt64BE(at);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptPackError(this.path, `offset ${big} too large`);
    return Number(big);
  }

  /**
   * Where the entry starting at `offset` ends: the next entry's start, or
   * `dataEnd` for the last one. Returns -1 if no entry starts at `offset`.
   * Knowing the exact end lets a reader fetch one entry with one pread.
   */
  entryEnd(offset: number, dataEnd: number): number {
    const s = (this.sorted ??= this.buildSorted());
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= s.length || s[lo] !== offset) return -1;
    return lo + 1 < s.length ? s[lo + 1] : dataEnd;
  }

  private buildSorted(): Float64Array {
    const s = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) s[i] = this.offsetAt(i);
    return s.sort();
  }
}

/** One object's row in a version-2 index; `oid` as 20 bytes or as 40 lowercase hex digits. */
export interface IdxEntry {
  oid: Buffer | string;
  crc: number;
  offset: number;
}

const hexOf = (oid: Buffer | string): string => (typeof oid === 'string' ? oid : oid.toString('hex'));

/**
 * The entries' order by object id. Sorted on a number built from each id's first 32 bits and the
 * entry's position (one native sort of doubles, near-linear in practice), then runs of equal
 * prefixes — rare among hashes — are put in order by their full ids.
 */
function sortedByOid(entries: IdxEntry[]): IdxEntry[] {
  const n = entries.length;
  if (n >= 2 ** 21) return [...entries].sort((a, b) => (hexOf(a.oid) < hexOf(b.oid) ? -1 : hexOf(a.oid) > hexOf(b.oid) ? 1 : 0));
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const oid = entries[i].oid;
    const prefix = typeof oid === 'string' ? parseInt(oid.slice(0, 8), 16) : oid.readUInt32BE(0);
    keys[i] = prefix * 2 ** 21 + i;
  }
  keys.sort();
  const out = new Array<IdxEntry>(n);
  for (let i = 0; i < n; i++) out[i] = entries[keys[i] % 2 ** 21];
  for (let i = 1; i < n; i++) {
    if (Math.floor(keys[i] / 2 ** 21) !== Math.floor(keys[i - 1] / 2 ** 21)) continue;
    // same first 32 bits: insertion sort by the full id within the run
    for (let j = i; j > 0 && Math.floor(keys[j] / 2 ** 21) === Math.floor(keys[j - 1] / 2 ** 21) && hexOf(out[j - 1].oid) > hexOf(out[j].oid); j--) {
      [out[j - 1], out[j]] = [out[j], out[j - 1]];
    }
  }
  return out;
}

/**
 * Encodes a version-2 pack index. Offsets above `off32Limit` go to the 64-bit
 * table; git's `--index-version=2,<limit>` exposes the same knob, which is
 * what makes the large-offset path testable without a 2 GiB pack.
 */
export function encodeIdxV2(entries: IdxEntry[], packChecksum: Buffer, off32Limit = 0x7fffffff): Buffer {
  const sorted = sortedByOid(entries);
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset > off32Limit).length;
  const out = Buffer.alloc(8 + FANOUT_BYTES + n * 28 + large * 8 + TRAILER_BYTES);
  out.writeUInt32BE(V2_MAGIC, 0);
  out.writeUInt32BE(2, 4);
  const names = 8 + FANOUT_BYTES;
  const crcs = names + n * 20;
  const offs = crcs + n * 4;
  let largeAt = offs + n * 4;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const e = sorted[i];
    const at = names + i * 20;
    if (typeof e.oid === 'string') out.write(e.oid, at, 20, 'hex');
    else e.oid.copy(out, at);
    if (i > 0 && out.compare(out, at - 20, at, at, at + 20) === 0) throw new Error(`duplicate object ${hexOf(e.oid)} in index`);
    out.writeUInt32BE(e.crc >>> 0, crcs + i * 4);
    if (e.offset > off32Limit) {
      out.writeUInt32BE((0x80000000 | k++) >>> 0, offs + i * 4);
      out.writeBigUInt64BE(BigInt(e.offset), largeAt);
      largeAt += 8;
    } else {
      out.writeUInt32BE(e.offset, offs + i * 4);
    }
  }
  // fanout: how many ids start with a byte ≤ b, read off the sorted names
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i++) counts[out[names + i * 20]]++;
  let total = 0;
  for (let i = 0; i < 256; i++) out.writeUInt32BE((total += counts[i]), 8 + 4 * i);
  packChecksum.copy(out, largeAt);
  createHash('sha1').update(out.subarray(0, largeAt + 20)).digest().copy(out, largeAt + 20);
  return out;
}
