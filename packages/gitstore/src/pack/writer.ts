import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateObject } from '../objects/zlib-stored.js';
import { crc32, encodeEntryHeader, typeCode } from './format.js';
import { type GitObject, hashObject } from './hash.js';
import { CorruptPackError } from '../errors.js';
import { encodeIdxV2, PackIndex, type IdxEntry } from './idx.js';

/** Speed over size: these packs are meant to be consolidated later by `git gc`. */
const FLUSH_BYTES = 1 << 20;

/** Batches the many small header/body writes into ~1 MiB syscalls. */
class FileSink {
  private chunks: Buffer[] = [];
  private pending = 0;
  /** when set, every byte written goes through it too (hashed a flush at a time, not per small write) */
  hash: Hash | null = null;
  constructor(private readonly fd: number) {}

  write(b: Buffer): void {
    this.chunks.push(b);
    this.pending += b.length;
    if (this.pending >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.pending);
    this.hash?.update(buf);
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
    this.chunks = [];
    this.pending = 0;
  }
}

function writeTemp(dir: string, prefix: string, fill: (sink: FileSink) => void): string {
  for (;;) {
    const path = join(dir, `${prefix}${randomBytes(6).toString('hex')}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o444);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    let done = false;
    try {
      const sink = new FileSink(fd);
      fill(sink);
      sink.flush();
      fsyncSync(fd);
      done = true;
    } finally {
      closeSync(fd);
      if (!done) unlinkSync(path);
    }
    return path;
  }
}

/**
 * Where git-ml writes temporary files before renaming them into `objects/`: `.git/ml/tmp`, which
 * git never cleans. (`git gc --prune=now` deletes `tmp_*` files in `objects/` of any age, even one
 * being written this very moment.)
 */
export function gitMlTmpDir(objectsDir: string): string {
  const dir = join(dirname(objectsDir), 'ml', 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function place(tmp: string, final: string): void {
  // Names are content hashes, so an existing file already holds these exact bytes.
  if (existsSync(final)) unlinkSync(tmp);
  else renameSync(tmp, final);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directory fsync is unsupported on some platforms (Windows); the renames are still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `objects` as one new undeltified version-2 pack plus its version-2
 * index in `<objectsDir>/pack/`, named after the pack's trailing checksum as
 * current git does. Both files are written and fsynced under temporary names,
 * then the `.pack` is renamed into place before the `.idx`, so readers (which
 * discover packs by their `.idx`) never see an index without its pack.
 * Duplicate inputs are stored once. `oids[i]` is the id of `objects[i]`; an
 * empty input writes nothing and returns an empty `packPath`.
 */
export function writePack(objectsDir: string, objects: GitObject[], options: { keep?: string } = {}): { packPath: string; oids: string[] } {
  const oids = objects.map((o) => {
    typeCode(o.type);
    return o.oid ?? hashObject(o.type, o.data);
  });
  const unique = new Map<string, GitObject>();
  oids.forEach((oid, i) => {
    if (!unique.has(oid)) unique.set(oid, objects[i]);
  });
  if (unique.size === 0) return { packPath: '', oids };
  const packPath = writeEntries(objectsDir, unique.size, options, (entry) => {
    for (const [oid, obj] of unique) {
      const hdr = encodeEntryHeader(typeCode(obj.type), obj.data.length);
      const body = deflateObject(obj.data);
      entry(oid, [hdr, body], crc32(body, crc32(hdr)));
    }
  });
  return { packPath, oids };
}

/**
 * Merges undeltified packs into one by copying each entry's bytes as they are (no inflate, no
 * deflate), checking every entry against the CRC-32 its index records; an object in several packs
 * is kept once. Returns null — and writes nothing — when a pack is gone, has a version-1 index or
 * holds a delta (the caller then reads the objects one by one).
 */
export function mergePacks(objectsDir: string, packPaths: string[]): { packPath: string; oids: string[] } | null {
  const entries = new Map<string, { raw: Buffer; crc: number }>();
  for (const path of packPaths) {
    let index: PackIndex;
    let data: Buffer;
    try {
      index = PackIndex.load(path.replace(/\.pack$/, '.idx'));
      data = readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const dataEnd = data.length - 20;
    for (let pos = 0; pos < index.count; pos++) {
      const oid = index.oidAt(pos);
      if (entries.has(oid)) continue;
      const crc = index.crcAt(pos);
      const off = index.offsetAt(pos);
      const end = index.entryEnd(off, dataEnd);
      if (crc === null) return null;
      if (off < 12 || end <= off || end > dataEnd) throw new CorruptPackError(path, `object ${oid}: no entry at offset ${off}`);
      const raw = data.subarray(off, end);
      const type = (raw[0] >> 4) & 7;
      if (type < 1 || type > 4) return null; // a delta (or damage): not copied as it is
      if (crc32(raw) >>> 0 !== crc >>> 0) throw new CorruptPackError(path, `object ${oid} at offset ${off}: CRC-32 does not match the index`);
      entries.set(oid, { raw, crc });
    }
  }
  if (entries.size === 0) return null;
  const packPath = writeEntries(objectsDir, entries.size, {}, (entry) => {
    for (const [oid, e] of entries) entry(oid, [e.raw], e.crc);
  });
  return { packPath, oids: [...entries.keys()] };
}

/**
 * Writes a pack of `count` entries that `fill` hands over (each: its id, its bytes — entry header
 * and zlib data — and their CRC-32) plus its version-2 index, both fsynced under temporary names,
 * then renamed into place: the `.pack` before the `.idx`, so readers (which discover packs by
 * their `.idx`) never see an index without its pack. Named after the pack's trailing checksum.
 */
function writeEntries(
  objectsDir: string,
  count: number,
  options: { keep?: string },
  fill: (entry: (oid: string, parts: Buffer[], crc: number) => void) => void,
): string {
  const tmpDir = gitMlTmpDir(objectsDir);
  const dir = join(objectsDir, 'pack');
  mkdirSync(dir, { recursive: true });
  const entries: IdxEntry[] = [];
  let checksum = Buffer.alloc(0);
  const tmpPack = writeTemp(tmpDir, 'pack_', (sink) => {
    sink.hash = createHash('sha1');
    const head = Buffer.alloc(12);
    head.write('PACK', 0, 'latin1');
    head.writeUInt32BE(2, 4);
    head.writeUInt32BE(count, 8);
    sink.write(head);
    let offset = 12;
    fill((oid, parts, crc) => {
      entries.push({ oid, crc, offset });
      for (const b of parts) {
        sink.write(b);
        offset += b.length;
      }
    });
    sink.flush();
    checksum = sink.hash.digest();
    sink.hash = null;
    sink.write(checksum);
  });

  let tmpIdx: string;
  try {
    tmpIdx = writeTemp(tmpDir, 'idx_', (sink) => sink.write(encodeIdxV2(entries, checksum)));
  } catch (e) {
    unlinkSync(tmpPack);
    throw e;
  }
  const base = join(dir, `pack-${checksum.toString('hex')}`);
  // a `.keep` placed first: `git repack -a -d` (gc) leaves the pack alone until it is removed
  if (options.keep !== undefined) writeFileSync(`${base}.keep`, options.keep);
  try {
    place(tmpPack, `${base}.pack`);
  } catch (e) {
    for (const tmp of [tmpPack, tmpIdx]) if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  place(tmpIdx, `${base}.idx`);
  fsyncDir(dir);
  return `${base}.pack`;
}
