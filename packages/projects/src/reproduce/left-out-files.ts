import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SNAPSHOT_TAGS } from '@git-ml/tracking';

interface LeftOut {
  path: string;
  size: number;
  blob?: string;
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} B`;
}

/** How the file at `path` in `workTree` compares with what the run had: present, different, or missing. */
function compare(workTree: string | null, f: LeftOut): string {
  if (!workTree) return 'not checked (bare repository)';
  const st = lstatSync(join(workTree, f.path), { throwIfNoEntry: false });
  if (!st || st.isDirectory()) return 'missing here too';
  if (st.size !== f.size) return `different here (${mib(st.size)})`;
  if (f.blob) {
    const id = createHash('sha1').update(`blob ${st.size}\0`).update(readFileSync(join(workTree, f.path))).digest('hex');
    if (id !== f.blob) return 'different content here';
  }
  return f.blob ? 'same content in your work tree' : 'same size in your work tree';
}

/**
 * One line naming the untracked files the run's source snapshot left out (tag
 * `git-ml.source.omitted`), each compared with the file now in `workTree`; null when none were.
 */
export function describeLeftOutFiles(runId: string, tags: Record<string, string>, workTree: string | null): string | null {
  const raw = tags[SNAPSHOT_TAGS.omitted];
  if (!raw) return null;
  let parsed: { files?: LeftOut[]; more?: number };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    return `git-ml: warning: tag ${SNAPSHOT_TAGS.omitted} of run ${runId} is not valid JSON, so the files its snapshot left out are unknown.`;
  }
  const files = parsed.files ?? [];
  const total = files.length + (parsed.more ?? 0);
  if (total === 0) return null;
  const shown = files.slice(0, 5).map((f) => `${f.path} (${mib(f.size)}; ${compare(workTree, f)})`);
  const more = total > shown.length ? ` and ${total - shown.length} more (tag ${SNAPSHOT_TAGS.omitted})` : '';
  return (
    `git-ml: warning: run ${runId}'s source snapshot left out ${total} untracked file${total === 1 ? '' : 's'}, so the reproduction runs without ${total === 1 ? 'it' : 'them'}: ` +
    `${shown.join(', ')}${more}. Pass data as parameters (paths), or commit the files the code needs.`
  );
}
