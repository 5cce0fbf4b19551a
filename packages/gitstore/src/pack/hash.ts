import { createHash } from 'node:crypto';

/** The four kinds of object git stores. */
export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** An object's type and its raw (uncompressed, headerless) content. */
export interface GitObject {
  type: ObjectType;
  data: Buffer;
  /** the object's id when the caller already computed it (trusted, saves hashing again) */
  oid?: string;
}

/**
 * Returns the object id git would give `data` stored as `type`: the hex SHA-1
 * of the loose-object header `<type> <byte length>\0` followed by the bytes.
 */
export function hashObject(type: ObjectType, data: Buffer): string {
  return createHash('sha1').update(`${type} ${data.length}\0`).update(data).digest('hex');
}
