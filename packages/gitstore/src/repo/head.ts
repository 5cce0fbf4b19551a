import { join } from 'node:path';
import type { RefStore } from '../refs/ref-store.js';
import { readSmallFile } from '../refs/small-file.js';

/** What HEAD points at: the branch (null when detached) and the commit (null in an empty repo). */
export interface Head {
  branch: string | null;
  commit: string | null;
}

export function readHead(gitDir: string, refs: RefStore): Head {
  let text: string | null;
  try {
    text = readSmallFile(join(gitDir, 'HEAD'));
  } catch {
    text = null;
  }
  if (text === null) return { branch: null, commit: null };
  if (!text.startsWith('ref: ')) return { branch: null, commit: text };
  const ref = text.slice(5);
  return { branch: ref.replace(/^refs\/heads\//, ''), commit: refs.read(ref) };
}
