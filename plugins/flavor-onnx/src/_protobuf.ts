// The few protobuf primitives this package needs to read ONNX graph metadata and append graph
// outputs. Not a general protobuf library: no schema, no groups.

export const VARINT = 0;
export const FIXED64 = 1;
export const BYTES = 2;
export const FIXED32 = 5;

export class ProtoReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint as a bigint (two's complement int64, so negative values come out negative). */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
      if (shift > 63n) throw new RangeError('protobuf: varint too long');
    }
  }

  /** A varint that is a length or a small number (fast path, no bigint). */
  uint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new RangeError('protobuf: varint too long');
    }
  }

  tag(): { field: number; wire: number } {
    const t = this.uint();
    return { field: Math.floor(t / 8), wire: t % 8 };
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new RangeError('protobuf: length past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  float(): number {
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === VARINT) this.uint();
    else if (wire === FIXED64) this.pos += 8;
    else if (wire === BYTES) {
      const n = this.uint(); // read first: `this.pos += this.uint()` would add to the old position
      this.pos += n;
    } else if (wire === FIXED32) this.pos += 4;
    else throw new RangeError(`protobuf: unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw new RangeError('protobuf: field past the end of the message');
  }

  /** A repeated int64 field, packed or not. */
  int64s(wire: number, into: bigint[]): void {
    if (wire !== BYTES) {
      into.push(this.varint());
      return;
    }
    const sub = new ProtoReader(this.bytes());
    while (!sub.done) into.push(sub.varint());
  }

  /** A repeated float field, packed or not. */
  floats(wire: number, into: number[]): void {
    if (wire !== BYTES) {
      into.push(this.float());
      return;
    }
    const sub = new ProtoReader(this.bytes());
    while (!sub.done) into.push(sub.float());
  }
}

function varintBytes(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Encodes a message from fields; each field is already encoded with one of the helpers below. */
export function message(...fields: Uint8Array[]): Uint8Array {
  return Buffer.concat(fields);
}

export function varintField(field: number, value: number | bigint): Uint8Array {
  return Uint8Array.from([...varintBytes(field * 8 + VARINT), ...varintBytes(value)]);
}

export function bytesField(field: number, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return Buffer.concat([Uint8Array.from([...varintBytes(field * 8 + BYTES), ...varintBytes(body.length)]), body]);
}

export function floatField(field: number, value: number): Uint8Array {
  const body = new Uint8Array(4);
  new DataView(body.buffer).setFloat32(0, value, true);
  return Buffer.concat([Uint8Array.from(varintBytes(field * 8 + FIXED32)), body]);
}

export function packedFloats(field: number, values: number[]): Uint8Array {
  const body = new Uint8Array(values.length * 4);
  const view = new DataView(body.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytesField(field, body);
}

export function packedVarints(field: number, values: (number | bigint)[]): Uint8Array {
  return bytesField(field, Uint8Array.from(values.flatMap(varintBytes)));
}
