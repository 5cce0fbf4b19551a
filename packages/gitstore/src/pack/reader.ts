import { CorruptPackError } from '../errors.js';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { applyDelta } from './delta.js';
import { deltaResultSize, MAX_ENTRY_HEADER, parseEntryHeader } from './entry-header.js';
import { OBJ_OFS_DELTA, OBJ_REF_DELTA, oidToBuffer, typeName } from './format.js';
import type { GitObject, ObjectType } from './hash.js';
import { PackIndex } from './idx.js';
import { BaseCache } from './lru.js';

/** Options for {@link PackStore}. */
export interface PackStoreOptions {
  /** Supplies REF_DELTA bases that live outside every pack (e.g. loose objects). */
  resolveExternal?: (oid: string) => GitObject | null;
  /** The type of such an external base, without reading it (used by {@link PackStore.header}). */
  externalType?: (oid: string) => ObjectType | null;
  /** Byte budget of the delta-base cache; git's own default is 96 MiB. */
  cacheBytes?: number;
  /** Re-hash every object read and throw on mismatch (default true). */
  verify?: boolean;
}

interface Pack {
  id: number;
  name: string;
  packPath: string;
  index: PackIndex;
  fd: number;
  dataEnd: number;
}

interface Entry {
  code: number;
  data: Buffer;
  baseOffset: number;
  baseOid: Buffer | undefined;
}

/** git caps delta depth at 4095; anything longer is a cycle in a corrupt pack. */
const MAX_CHAIN = 10_000;

/** Thrown internally when a pack disappeared underneath us (e.g. `git gc`). */
class VanishedPack extends Error {}

const isNoEnt = (e: unknown): boolean => (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/**
 * Synchronous reader for the packfiles under `<objectsDir>/pack`. Indexes are
 * held in memory; pack data is read entry by entry with positioned reads on a
 * lazily opened descriptor, deltas (OFS and REF) are resolved through a small
 * LRU of bases, and every object is re-hashed unless `verify: false`. Call
 * {@link PackStore.refresh} after other processes add packs; packs removed by
 * `git gc` are noticed automatically on the next read.
 */
export class PackStore {
  private packs: Pack[] = [];
  private mru: Pack | undefined;
  private nextId = 0;
  private readonly packDir: string;
  private readonly cache: BaseCache;
  private readonly verify: boolean;
  private readonly resolveExternal: ((oid: string) => GitObject | null) | undefined;
  private readonly externalType: ((oid: string) => ObjectType | null) | undefined;

  constructor(objectsDir: string, options: PackStoreOptions = {}) {
    this.packDir = join(objectsDir, 'pack');
    this.cache = new BaseCache(options.cacheBytes ?? 32 * 1024 * 1024);
    this.verify = options.verify ?? true;
    this.resolveExternal = options.resolveExternal;
    this.externalType = options.externalType;
    this.refresh();
  }

  /** Rescans the pack directory, keeping already-loaded indexes and closing packs that are gone. */
  refresh(): void {
    let names: string[];
    try {
      names = readdirSync(this.packDir);
    } catch (e) {
      if (!isNoEnt(e)) throw e;
      names = [];
    }
    const present = new Set(names);
    const old = new Map(this.packs.map((p) => [p.name, p]));
    const next: Pack[] = [];
    for (const file of names) {
      if (!file.startsWith('pack-') || !file.endsWith('.idx')) continue;
      const name = file.slice(0, -4);
      // An .idx without its .pack is a pack being deleted; never the other way round, since writers rename the .idx last.
      if (!present.has(`${name}.pack`)) continue;
      const known = old.get(name);
      if (known) {
        next.push(known);
        old.delete(name);
        continue;
      }
      let index: PackIndex;
      try {
        index = PackIndex.load(join(this.packDir, file));
      } catch (e) {
        if (isNoEnt(e)) continue;
        throw e;
      }
      next.push({ id: this.nextId++, name, packPath: join(this.packDir, `${name}.pack`), index, fd: -1, dataEnd: 0 });
    }
    for (const gone of old.values()) if (gone.fd >= 0) closeSync(gone.fd);
    this.packs = next;
    this.mru = undefined;
  }

  /** Closes every open pack file descriptor; the store reopens them on demand. */
  close(): void {
    for (const p of this.packs) {
      if (p.fd >= 0) closeSync(p.fd);
      p.fd = -1;
    }
  }

  /** True if some pack's index lists `oid`. Does not touch pack data. */
  has(oid: string): boolean {
    return this.locate(oidToBuffer(oid)) !== undefined;
  }

  /** Reads `oid` from the packs, or returns null if no pack has it. Throws on corruption. */
  read(oid: string): GitObject | null {
    const key = oidToBuffer(oid);
    for (let attempt = 0; ; attempt++) {
      try {
        return this.readOnce(oid.toLowerCase(), key);
      } catch (e) {
        if (!(e instanceof VanishedPack)) throw e;
        if (attempt >= 2) throw new CorruptPackError(e.message, 'the pack keeps vanishing while it is read (a `git repack` in a loop?)', oid);
        this.refresh();
      }
    }
  }

  /**
   * The type and size of `oid` from entry headers only, or null if no pack has it: a whole object's
   * header holds its size; a delta's result size is the second varint at the start of its data (a
   * few deflated bytes), and its type is the chain's base's, found by walking the headers down.
   */
  header(oid: string): { type: ObjectType; size: number } | null {
    const key = oidToBuffer(oid);
    for (let attempt = 0; ; attempt++) {
      try {
        const loc = this.locate(key);
        return loc ? this.headerAt(loc.pack, loc.pack.index.offsetAt(loc.pos), oid) : null;
      } catch (e) {
        if (!(e instanceof VanishedPack)) throw e;
        if (attempt >= 2) throw new Error(`pack ${e.message} keeps vanishing while reading ${oid}`);
        this.refresh();
      }
    }
  }

  /**
   * Where the deflated bytes of `oid` lie when it is stored whole (not as a delta), so a caller can
   * stream-inflate it from the pack file instead of reading it into memory; null when no pack has
   * it or it is a delta.
   */
  wholeEntry(oid: string): { packPath: string; start: number; end: number; type: ObjectType; size: number } | null {
    const key = oidToBuffer(oid);
    for (let attempt = 0; ; attempt++) {
      try {
        const loc = this.locate(key);
        if (!loc) return null;
        const off = loc.pack.index.offsetAt(loc.pos);
        this.open(loc.pack, oid);
        const end = loc.pack.index.entryEnd(off, loc.pack.dataEnd);
        if (off < 12 || end < 0) throw this.corrupt(loc.pack, oid, off, 'no entry starts there');
        const h = parseEntryHeader(this.readAt(loc.pack, off, Math.min(MAX_ENTRY_HEADER, end - off), oid), off);
        if (!h) throw this.corrupt(loc.pack, oid, off, 'entry header runs past the entry');
        const type = typeName(h.code);
        return type ? { packPath: loc.pack.packPath, start: off + h.dataStart, end, type, size: h.size } : null;
      } catch (e) {
        if (!(e instanceof VanishedPack)) throw e;
        if (attempt >= 2) throw new Error(`pack ${e.message} keeps vanishing while reading ${oid}`);
        this.refresh();
      }
    }
  }

  private headerAt(pack: Pack, offset: number, oid: string): { type: ObjectType; size: number } {
    let size: number | undefined;
    let p = pack;
    let off = offset;
    for (let depth = 0; depth <= MAX_CHAIN; depth++) {
      this.open(p, oid); // sets dataEnd, which bounds the last entry
      const end = p.index.entryEnd(off, p.dataEnd);
      if (off < 12 || end < 0) throw this.corrupt(p, oid, off, 'no entry starts there');
      const h = parseEntryHeader(this.readAt(p, off, Math.min(MAX_ENTRY_HEADER, end - off), oid), off);
      if (!h) throw this.corrupt(p, oid, off, 'entry header runs past the entry');
      const type = typeName(h.code);
      if (type) return { type, size: size ?? h.size };
      if (h.code !== OBJ_OFS_DELTA && h.code !== OBJ_REF_DELTA) throw this.corrupt(p, oid, off, `invalid object type ${h.code}`);
      for (let probe = 64; size === undefined; probe *= 8) {
        const n = Math.min(probe, end - off - h.dataStart);
        let got: number | null;
        try {
          got = deltaResultSize(this.readAt(p, off + h.dataStart, n, oid));
        } catch (e) {
          throw this.corrupt(p, oid, off, `zlib: ${(e as Error).message}`);
        }
        if (got !== null) size = got;
        else if (n < probe) throw this.corrupt(p, oid, off, 'delta too short for its size header');
      }
      if (h.code === OBJ_OFS_DELTA) {
        if (h.baseOffset! < 12 || h.baseOffset === off) throw this.corrupt(p, oid, off, `bad delta base offset ${h.baseOffset}`);
        off = h.baseOffset!;
        continue;
      }
      const samePack = p.index.find(h.baseOid!);
      const loc = samePack >= 0 ? { pack: p, pos: samePack } : this.locate(h.baseOid!);
      if (loc) {
        p = loc.pack;
        off = loc.pack.index.offsetAt(loc.pos);
        continue;
      }
      const baseHex = h.baseOid!.toString('hex');
      const external = this.externalType?.(baseHex) ?? this.resolveExternal?.(baseHex)?.type ?? null;
      if (!external) throw this.corrupt(p, oid, off, `REF_DELTA base ${baseHex} not found`);
      return { type: external, size };
    }
    throw this.corrupt(pack, oid, offset, `delta chain longer than ${MAX_CHAIN}`);
  }

  private readAt(pack: Pack, position: number, length: number, oid: string): Buffer {
    const fd = this.open(pack, oid);
    const buf = Buffer.allocUnsafe(length);
    for (let got = 0; got < length; ) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) throw this.corrupt(pack, oid, position, 'pack is truncated');
      got += n;
    }
    return buf;
  }

  private locate(key: Buffer): { pack: Pack; pos: number } | undefined {
    const first = this.mru;
    if (first) {
      const pos = first.index.find(key);
      if (pos >= 0) return { pack: first, pos };
    }
    for (const pack of this.packs) {
      if (pack === first) continue;
      const pos = pack.index.find(key);
      if (pos >= 0) {
        this.mru = pack;
        return { pack, pos };
      }
    }
    return undefined;
  }

  private readOnce(oid: string, key: Buffer): GitObject | null {
    const loc = this.locate(key);
    if (!loc) return null;
    const obj = this.resolve(loc.pack, loc.pack.index.offsetAt(loc.pos), oid);
    if (this.verify) {
      const actual = createHash('sha1').update(`${obj.type} ${obj.data.length}\0`).update(obj.data).digest();
      if (!actual.equals(key)) {
        throw new CorruptPackError(loc.pack.packPath, `the object's content hashes to ${actual.toString('hex')}`, oid);
      }
    }
    return obj;
  }

  /** Walks the delta chain down to a base (cached, whole, or external), then applies the deltas back up. */
  private resolve(pack: Pack, offset: number, oid: string): GitObject {
    const deltas: Buffer[] = [];
    const keys: string[] = [];
    let base: GitObject | undefined;
    let p = pack;
    let off = offset;
    while (!base) {
      const cacheKey = `${p.id}:${off}`;
      const cached = this.cache.get(cacheKey);
      if (cached) {
        // Callers own what read() returns; never hand out the cache's own buffer.
        base = deltas.length === 0 ? { type: cached.type, data: Buffer.from(cached.data) } : cached;
        break;
      }
      const entry = this.readEntry(p, off, oid);
      const type = typeName(entry.code);
      if (type) {
        base = { type, data: entry.data };
        if (deltas.length > 0) this.cache.set(cacheKey, base);
        break;
      }
      deltas.push(entry.data);
      keys.push(cacheKey);
      if (deltas.length > MAX_CHAIN) throw this.corrupt(p, oid, off, `delta chain longer than ${MAX_CHAIN}`);
      if (entry.code === OBJ_OFS_DELTA) {
        off = entry.baseOffset;
        continue;
      }
      const baseKey = entry.baseOid as Buffer;
      const samePack = p.index.find(baseKey);
      const loc = samePack >= 0 ? { pack: p, pos: samePack } : this.locate(baseKey);
      if (loc) {
        p = loc.pack;
        off = loc.pack.index.offsetAt(loc.pos);
        continue;
      }
      const baseHex = baseKey.toString('hex');
      const external = this.resolveExternal?.(baseHex) ?? null;
      if (!external) throw this.corrupt(p, oid, off, `REF_DELTA base ${baseHex} not found`);
      base = external;
    }
    for (let i = deltas.length - 1; i >= 0; i--) {
      try {
        base = { type: base.type, data: applyDelta(base.data, deltas[i]) };
      } catch (e) {
        throw this.corrupt(pack, oid, offset, `bad delta in chain: ${(e as Error).message}`);
      }
      if (i > 0) this.cache.set(keys[i], base);
    }
    return base;
  }

  private readEntry(pack: Pack, offset: number, oid: string): Entry {
    const fd = this.open(pack, oid);
    const end = pack.index.entryEnd(offset, pack.dataEnd);
    if (offset < 12 || end < 0) throw this.corrupt(pack, oid, offset, 'no entry starts there');
    const raw = Buffer.allocUnsafe(end - offset);
    for (let got = 0; got < raw.length; ) {
      const n = readSync(fd, raw, got, raw.length - got, offset + got);
      if (n === 0) throw this.corrupt(pack, oid, offset, 'pack is truncated');
      got += n;
    }
    let pos = 0;
    const byte = (): number => {
      if (pos >= raw.length) throw this.corrupt(pack, oid, offset, 'entry header runs past the entry');
      return raw[pos++];
    };
    let c = byte();
    const code = (c >> 4) & 7;
    let size = c & 15;
    for (let scale = 16; c & 0x80; scale *= 128) {
      c = byte();
      size += (c & 0x7f) * scale;
    }
    let baseOffset = 0;
    let baseOid: Buffer | undefined;
    if (code === OBJ_OFS_DELTA) {
      c = byte();
      let back = c & 0x7f;
      while (c & 0x80) {
        c = byte();
        back = (back + 1) * 128 + (c & 0x7f);
      }
      baseOffset = offset - back;
      if (back === 0 || baseOffset < 12) throw this.corrupt(pack, oid, offset, `bad delta base offset -${back}`);
    } else if (code === OBJ_REF_DELTA) {
      if (pos + 20 > raw.length) throw this.corrupt(pack, oid, offset, 'entry header runs past the entry');
      baseOid = raw.subarray(pos, pos + 20);
      pos += 20;
    } else if (!typeName(code)) {
      throw this.corrupt(pack, oid, offset, `invalid object type ${code}`);
    }
    let data: Buffer;
    try {
      // An output chunk one byte larger than the known size makes zlib finish in a single allocation.
      data = inflateSync(raw.subarray(pos), { chunkSize: Math.max(64, size + 1) });
    } catch (e) {
      throw this.corrupt(pack, oid, offset, `zlib: ${(e as Error).message}`);
    }
    if (data.length !== size) throw this.corrupt(pack, oid, offset, `inflated to ${data.length} bytes, header says ${size}`);
    return { code, data, baseOffset, baseOid };
  }

  private open(pack: Pack, oid: string): number {
    if (pack.fd >= 0) return pack.fd;
    let fd: number;
    try {
      fd = openSync(pack.packPath, 'r');
    } catch (e) {
      if (isNoEnt(e)) throw new VanishedPack(pack.packPath);
      throw e;
    }
    try {
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(12);
      const tail = Buffer.alloc(20);
      if (size < 32 || readSync(fd, head, 0, 12, 0) !== 12 || readSync(fd, tail, 0, 20, size - 20) !== 20) {
        throw this.corrupt(pack, oid, 0, `file too small (${size} bytes)`);
      }
      const version = head.readUInt32BE(4);
      if (head.toString('latin1', 0, 4) !== 'PACK' || (version !== 2 && version !== 3)) {
        throw this.corrupt(pack, oid, 0, 'not a version 2/3 packfile');
      }
      if (head.readUInt32BE(8) !== pack.index.count) {
        throw this.corrupt(pack, oid, 0, `pack has ${head.readUInt32BE(8)} objects, index has ${pack.index.count}`);
      }
      if (!tail.equals(pack.index.packChecksum)) throw this.corrupt(pack, oid, 0, 'pack checksum does not match its index');
      pack.dataEnd = size - 20;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    pack.fd = fd;
    return fd;
  }

  private corrupt(pack: Pack, oid: string, offset: number, why: string): Error {
    return new CorruptPackError(pack.packPath, `entry at offset ${offset}: ${why}`, oid);
  }
}
