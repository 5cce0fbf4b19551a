import * as crypto from 'node:crypto';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** git's object header: `<type> <length>\0`. */
export function objectHeader(type: ObjectType, length: number): Buffer {
  return Buffer.from(`${type} ${length}\0`, 'latin1');
}

/** The object id git gives `data` stored as `type` (SHA-1, lowercase hex). */
export function hashObject(type: ObjectType, data: Buffer): string {
  const header = `${type} ${data.length}\0`;
  // small objects (most of a fold's): one buffer and a one-shot hash, about twice as fast
  if (oneShot && data.length <= ONE_SHOT_MAX) {
    const all = Buffer.allocUnsafe(header.length + data.length);
    all.write(header, 0, 'latin1');
    data.copy(all, header.length);
    return oneShot('sha1', all, 'hex');
  }
  return crypto.createHash('sha1').update(header, 'latin1').update(data).digest('hex');
}

/** `crypto.hash` (Node ≥ 20.12); absent on older Node, where every object takes createHash. */
const oneShot = (crypto as { hash?: (alg: string, data: Buffer, enc: 'hex') => string }).hash;
const ONE_SHOT_MAX = 64 * 1024;
