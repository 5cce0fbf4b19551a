/**
 * Applies a git delta (as stored in OFS_DELTA / REF_DELTA pack entries) to
 * `base` and returns the reconstructed object. Every bound is checked, so a
 * corrupt delta throws instead of producing plausible-looking garbage.
 */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    let c: number;
    do {
      if (pos >= delta.length) throw new Error('delta truncated in size header');
      c = delta[pos++];
      value += (c & 0x7f) * scale;
      scale *= 128;
    } while (c & 0x80);
    return value;
  };
  const srcSize = varint();
  if (srcSize !== base.length) throw new Error(`delta expects a ${srcSize}-byte base, got ${base.length} bytes`);
  const size = varint();
  const out = Buffer.allocUnsafe(size);
  let outPos = 0;
  while (pos < delta.length) {
    const op = delta[pos++];
    if (op & 0x80) {
      let need = 0;
      for (let bit = 1; bit < 0x80; bit <<= 1) if (op & bit) need++;
      if (pos + need > delta.length) throw new Error('delta truncated in copy instruction');
      let off = 0;
      let len = 0;
      if (op & 0x01) off = delta[pos++];
      if (op & 0x02) off |= delta[pos++] << 8;
      if (op & 0x04) off |= delta[pos++] << 16;
      if (op & 0x08) off += delta[pos++] * 0x1000000;
      if (op & 0x10) len = delta[pos++];
      if (op & 0x20) len |= delta[pos++] << 8;
      if (op & 0x40) len |= delta[pos++] << 16;
      if (len === 0) len = 0x10000;
      if (off + len > base.length || outPos + len > size) {
        throw new Error(`delta copy of ${len} bytes at ${off} is out of bounds`);
      }
      base.copy(out, outPos, off, off + len);
      outPos += len;
    } else if (op !== 0) {
      if (pos + op > delta.length || outPos + op > size) throw new Error(`delta insert of ${op} bytes is out of bounds`);
      delta.copy(out, outPos, pos, pos + op);
      pos += op;
      outPos += op;
    } else {
      throw new Error('delta contains reserved opcode 0');
    }
  }
  if (outPos !== size) throw new Error(`delta produced ${outPos} bytes, header promised ${size}`);
  return out;
}
