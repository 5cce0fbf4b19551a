import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RefStore } from '../refs/ref-store.js';

/** What HEAD points at: the branch (null when detached) and the commit (null in an empty repo). */
export interface Head {
  branch: string | null;
  commit: string | null;
}

export function readHead(gitDir: string, refs: RefStore): Head {
  let text: string;
  try {
    text = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  } catch {
    return { branch: null, commit: null };
  }
  if (!text.startsWith('ref: ')) return { branch: null, commit: text };
  const ref = text.slice(5);
  return { branch: ref.replace(/^refs\/heads\//, ''), commit: refs.read(ref) };
}
