import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { OBJ_OFS_DELTA, OBJ_REF_DELTA } from './format.js';

/** The longest entry header: type+size (≤ 10 bytes) then a REF_DELTA base id (20) or an OFS_DELTA offset (≤ 10). */
export const MAX_ENTRY_HEADER = 32;

export interface EntryHeader {
  code: number;
  /** inflated size of the entry's data: the object for whole objects, the delta for deltas */
  size: number;
  /** where the deflated data starts, relative to the entry */
  dataStart: number;
  baseOffset?: number;
  baseOid?: Buffer;
}

/** Parses a pack entry header from the first bytes of the entry at `offset`; null when `raw` is too short. */
export function parseEntryHeader(raw: Buffer, offset: number): EntryHeader | null {
  let pos = 0;
  const byte = (): number => (pos < raw.length ? raw[pos++] : -1);
  let c = byte();
  if (c < 0) return null;
  const code = (c >> 4) & 7;
  let size = c & 15;
  for (let scale = 16; c & 0x80; scale *= 128) {
    c = byte();
    if (c < 0) return null;
    size += (c & 0x7f) * scale;
  }
  if (code === OBJ_OFS_DELTA) {
    c = byte();
    if (c < 0) return null;
    let back = c & 0x7f;
    while (c & 0x80) {
      c = byte();
      if (c < 0) return null;
      back = (back + 1) * 128 + (c & 0x7f);
    }
    return { code, size, dataStart: pos, baseOffset: offset - back };
  }
  if (code === OBJ_REF_DELTA) {
    if (pos + 20 > raw.length) return null;
    return { code, size, dataStart: pos + 20, baseOid: raw.subarray(pos, pos + 20) };
  }
  return { code, size, dataStart: pos };
}

/**
 * The size of the object a delta produces, from the start of its deflated data: a delta begins with
 * two varints, the base's size and the result's size. Null when `deflated` is too short to hold them.
 */
export function deltaResultSize(deflated: Buffer): number | null {
  const out = inflateSync(deflated, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  let pos = 0;
  const varint = (): number | null => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= out.length) return null;
      const c = out[pos++];
      value += (c & 0x7f) * scale;
      scale *= 128;
      if (!(c & 0x80)) return value;
    }
  };
  if (varint() === null) return null;
  return varint();
}
