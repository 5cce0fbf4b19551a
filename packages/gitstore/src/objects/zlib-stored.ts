import { deflateSync } from 'node:zlib';

const MOD = 65521;

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Objects up to this size are stored, not compressed: a zlib call costs more than it saves. */
export const STORED_LIMIT = 4096;

/**
 * A zlib stream of "stored" (uncompressed) deflate blocks. Any zlib reader — git included — reads
 * it; `git gc` recompresses later. For the many tiny objects of a fold, this skips a zlib call per
 * object, which is most of the cost of writing them.
 */
export function deflateStored(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = Buffer.allocUnsafe(2 + data.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let i = 0, n = 0; n < blocks; n++) {
    const len = Math.min(65535, data.length - i);
    out[o++] = n === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(len, o);
    out.writeUInt16LE(~len & 0xffff, o + 2);
    o += 4;
    data.copy(out, o, i, i + len);
    o += len;
    i += len;
  }
  out.writeUInt32BE(adler32(data), o);
  return out;
}

/** Compresses `data` for a git object: stored when small, zlib level 1 otherwise. */
export function deflateObject(data: Buffer): Buffer {
  return data.length <= STORED_LIMIT ? deflateStored(data) : deflateSync(data, { level: 1 });
}
