import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNS_PREFIX } from './refs-layout.js';

/** Finds `refs/ml/runs/<exp>/<runId>` in packed-refs (after `git gc` or `git pack-refs`). */
export function readPackedRunRef(commonDir: string, runId: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(commonDir, 'packed-refs'), 'utf8');
  } catch {
    return null;
  }
  const suffix = `/${runId}`;
  for (const line of text.split('\n')) {
    const ref = line.slice(41);
    if (ref.startsWith(RUNS_PREFIX) && ref.endsWith(suffix)) return ref;
  }
  return null;
}
