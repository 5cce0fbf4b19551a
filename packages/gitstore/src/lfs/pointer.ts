/** Git LFS pointer files (spec v1): what a repository stores in place of a large file's content. */
export interface LfsPointer {
  /** sha256 of the content, 64 lowercase hex digits */
  oid: string;
  size: number;
}

/** git-lfs never treats a blob larger than this as a pointer. */
export const MAX_POINTER_SIZE = 1024;

const VERSION = 'version https://git-lfs.github.com/spec/v1';

/** The pointer file of a content, byte for byte as `git lfs` writes it. */
export function encodePointer(p: LfsPointer): Buffer {
  return Buffer.from(`${VERSION}\noid sha256:${p.oid}\nsize ${p.size}\n`);
}

/** The pointer a blob holds, or null when it is not an LFS pointer (ordinary content). */
export function parsePointer(data: Buffer): LfsPointer | null {
  if (data.length > MAX_POINTER_SIZE || data.length < VERSION.length) return null;
  const text = data.toString('utf8');
  if (!text.startsWith(`${VERSION}\n`)) return null;
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text);
  const size = /^size (\d+)$/m.exec(text);
  return oid && size ? { oid: oid[1], size: Number(size[1]) } : null;
}
