import { createHash } from 'node:crypto';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** git's object header: `<type> <length>\0`. */
export function objectHeader(type: ObjectType, length: number): Buffer {
  return Buffer.from(`${type} ${length}\0`, 'latin1');
}

/** The object id git gives `data` stored as `type` (SHA-1, lowercase hex). */
export function hashObject(type: ObjectType, data: Buffer): string {
  return createHash('sha1').update(objectHeader(type, data.length)).update(data).digest('hex');
}
