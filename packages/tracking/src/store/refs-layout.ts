/** Where git-ml keeps things in the ref namespace (see docs/storage.md). */
export const RUNS_PREFIX = 'refs/ml/runs/';
export const EXPERIMENTS_PREFIX = 'refs/ml/experiments/';
export const DEFAULT_EXPERIMENT_ID = '0';

export function runRef(experimentId: string, runId: string): string {
  return `${RUNS_PREFIX}${experimentId}/${runId}`;
}

export function experimentRef(experimentId: string): string {
  return `${EXPERIMENTS_PREFIX}${experimentId}`;
}

export function parseRunRef(ref: string): { experimentId: string; runId: string } | null {
  if (!ref.startsWith(RUNS_PREFIX)) return null;
  const rest = ref.slice(RUNS_PREFIX.length).split('/');
  return rest.length === 2 ? { experimentId: rest[0], runId: rest[1] } : null;
}

const TRAILER = 'Git-ml-journal';

/** Journal offsets folded into a commit, kept as trailers in its message so a fold is never applied twice. */
export function formatOffsets(offsets: Map<string, number>): string {
  let out = '';
  for (const [w, off] of [...offsets].sort()) out += `${TRAILER}: ${w} ${off}\n`;
  return out;
}

/**
 * Reads the offsets back: only from the message's last paragraph (the trailer block git-ml writes),
 * so text a user put into a run name or description can never pose as a trailer.
 */
export function parseOffsets(message: string): Map<string, number> {
  const out = new Map<string, number>();
  const paragraphs = message.trimEnd().split(/\n\n/);
  const last = paragraphs[paragraphs.length - 1];
  for (const line of last.split('\n')) {
    const m = /^Git-ml-journal: ([\w-]+) (\d+)$/.exec(line);
    if (!m) return new Map();
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/** User text (a run name) as it may appear in a commit message: one line, no control characters. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}
