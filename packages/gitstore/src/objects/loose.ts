import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';
import { deflateObject } from './zlib-stored.js';
import { CorruptObjectError } from '../errors.js';
import { hashObject, objectHeader, type ObjectType } from './hash.js';

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
  const tmp = join(dir, `tmp_obj_${process.pid}_${++tmpCounter}`);
  let fd: number;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt > 0 || !knownDirs?.has(dir)) {
        mkdirSync(dir, { recursive: true });
        knownDirs?.add(dir);
      }
      fd = openSync(tmp, 'wx', 0o444);
      break;
    } catch (err) {
      // `git gc` / `git prune-packed` removes fan-out directories it emptied — the cached one, or one
      // we just made (even inside mkdirSync, which then fails with ENOENT) — so make it again and retry
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 50) throw err;
    }
  }
  try {
    writeSync(fd, deflateObject(Buffer.concat([objectHeader(type, data.length), data])));
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
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

/**
 * The size of a loose object's content from its header alone — only the first bytes are read and
 * inflated, so asking the size of a multi-GB blob costs the same as of a small one. Null when there
 * is no loose file for `oid`.
 */
export function looseSize(objectsDir: string, oid: string): number | null {
  let fd: number;
  try {
    fd = openSync(loosePath(objectsDir, oid), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let head: Buffer;
  try {
    const buf = Buffer.alloc(512);
    head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
  let out: Buffer;
  try {
    out = inflateSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (cause) {
    throw new CorruptObjectError(`loose object ${oid}`, 'zlib data does not inflate', { cause });
  }
  const m = /^(blob|tree|commit|tag) (\d+)\0/.exec(out.subarray(0, 40).toString('latin1'));
  if (!m) throw new CorruptObjectError(`loose object ${oid}`, 'bad object header');
  return Number(m[2]);
}
