import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { deflateObject } from './zlib-stored.js';
import { CorruptObjectError } from '../errors.js';
import { hashObject, objectHeader, type ObjectType } from './hash.js';
import { gitMlTmpDir } from '../pack/writer.js';

let tmpCounter = 0;

export function loosePath(objectsDir: string, oid: string): string {
  return join(objectsDir, oid.slice(0, 2), oid.slice(2));
}

/**
 * Writes one loose object the way git does: deflate `<header><data>` into a temporary file in the
 * object's fan-out directory, then rename it into place, so a reader (or a crash) never sees half
 * an object. Existing objects are left alone — same name, same content.
 */
export function writeLoose(objectsDir: string, type: ObjectType, data: Buffer, knownDirs?: Set<string>): string {
  const oid = hashObject(type, data);
  const dir = join(objectsDir, oid.slice(0, 2));
  const path = join(dir, oid.slice(2));
  if (statSync(path, { throwIfNoEntry: false })) return oid;
  // written outside objects/ (git gc --prune=now deletes tmp_obj_* files there), then renamed in
  const tmp = join(gitMlTmpDir(objectsDir), `obj_${process.pid}_${++tmpCounter}`);
  const fd = openSync(tmp, 'wx', 0o444);
  try {
    writeSync(fd, deflateObject(Buffer.concat([objectHeader(type, data.length), data])));
  } finally {
    closeSync(fd);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt > 0 || !knownDirs?.has(dir)) {
        mkdirSync(dir, { recursive: true });
        knownDirs?.add(dir);
      }
      renameSync(tmp, path);
      break;
    } catch (err) {
      // `git gc` / `git prune-packed` removes fan-out directories it emptied — the cached one, or one
      // we just made — so make it again and retry
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 50) {
        try {
          unlinkSync(tmp);
        } catch {
          // already gone
        }
        throw err;
      }
    }
  }
  return oid;
}

/** Reads a loose object, or null when there is no loose file for `oid` (it may be packed). */
export function readLoose(objectsDir: string, oid: string): { type: ObjectType; data: Buffer } | null {
  let raw: Buffer;
  try {
    raw = readFileSync(loosePath(objectsDir, oid));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let full: Buffer;
  try {
    full = inflateSync(raw);
  } catch (cause) {
    throw new CorruptObjectError(`loose object ${oid}`, 'zlib data does not inflate', { cause });
  }
  const nul = full.indexOf(0);
  const m = /^(blob|tree|commit|tag) (\d+)$/.exec(full.subarray(0, nul).toString('latin1'));
  if (nul < 0 || !m || Number(m[2]) !== full.length - nul - 1) {
    throw new CorruptObjectError(`loose object ${oid}`, 'bad object header');
  }
  return { type: m[1] as ObjectType, data: full.subarray(nul + 1) };
}

/** A loose object's header is `<type> <size>\0`: at most 32 bytes, so a few hundred deflated bytes hold it. */
const HEADER_PROBE = 512;

/**
 * The type and size of a loose object from its header alone — only the first bytes of the file are
 * read and inflated, however large the object. Null when there is no loose file for `oid`.
 */
export function readLooseHeader(objectsDir: string, oid: string): { type: ObjectType; size: number } | null {
  let fd: number;
  try {
    fd = openSync(loosePath(objectsDir, oid), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    for (let probe = HEADER_PROBE; ; probe *= 4) {
      const buf = Buffer.allocUnsafe(probe);
      const n = readSync(fd, buf, 0, probe, 0);
      let out: Buffer;
      try {
        // a sync flush inflates what this prefix holds instead of failing on the missing rest
        out = inflateSync(buf.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch (cause) {
        throw new CorruptObjectError(`loose object ${oid}`, 'zlib data does not inflate', { cause });
      }
      const nul = out.indexOf(0);
      if (nul >= 0) {
        const m = /^(blob|tree|commit|tag) (\d+)$/.exec(out.subarray(0, nul).toString('latin1'));
        if (!m) throw new CorruptObjectError(`loose object ${oid}`, 'bad object header');
        return { type: m[1] as ObjectType, size: Number(m[2]) };
      }
      if (n < probe || out.length > 64) throw new CorruptObjectError(`loose object ${oid}`, 'bad object header');
    }
  } finally {
    closeSync(fd);
  }
}
