import * as zlib from 'node:zlib';
import type { ObjectType } from './hash.js';

/** Pack entry type codes of the two delta representations. */
export const OBJ_OFS_DELTA = 6;
export const OBJ_REF_DELTA = 7;

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const TYPE_NAMES: readonly (ObjectType | undefined)[] = [undefined, 'commit', 'tree', 'blob', 'tag'];

/** Pack entry type code of an object type; throws on anything else. */
export function typeCode(type: ObjectType): number {
  // hasOwn, so that names like 'constructor' don't resolve through the prototype.
  const code = Object.hasOwn(TYPE_CODES, type) ? TYPE_CODES[type] : undefined;
  if (code === undefined) throw new TypeError(`not a git object type: ${String(type)}`);
  return code;
}

/** Object type of a pack entry type code, or undefined for deltas and invalid codes. */
export function typeName(code: number): ObjectType | undefined {
  return TYPE_NAMES[code];
}

const OID_RE = /^[0-9a-f]{40}$/i;

/** Buffer.from(hex) silently truncates at the first bad digit, so validate first. */
export function oidToBuffer(oid: string): Buffer {
  if (typeof oid !== 'string' || !OID_RE.test(oid)) throw new TypeError(`not a SHA-1 object id: ${String(oid)}`);
  return Buffer.from(oid, 'hex');
}

/** Encodes a pack entry header: 3-bit type, then the size in 4 + 7n bits. */
export function encodeEntryHeader(code: number, size: number): Buffer {
  const bytes: number[] = [];
  let c = (code << 4) | (size % 16);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(c | 0x80);
    c = rest % 128;
    rest = Math.floor(rest / 128);
  }
  bytes.push(c);
  return Buffer.from(bytes);
}

let crcTable: Int32Array | undefined;

/** Table-driven CRC-32 (IEEE), continuing from `value` like zlib.crc32. */
export function crc32Fallback(data: Uint8Array, value: number): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** zlib.crc32 appeared in Node 20.15; the table fallback keeps older or non-Node runtimes working. */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof zlib.crc32 === 'function' ? (d, v = 0) => zlib.crc32(d, v) : (d, v = 0) => crc32Fallback(d, v);
