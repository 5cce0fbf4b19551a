import { GitMlError } from '../errors.js';
import type { GitConfig } from './config.js';

/**
 * How a dirty working tree becomes a run's source commit:
 * - `full`: tracked changes plus untracked, non-ignored files within the size caps (the default);
 * - `tracked`: tracked changes only, like `git stash create`;
 * - `off`: no snapshot at all; the source is HEAD.
 */
export type SnapshotMode = 'full' | 'tracked' | 'off';

export interface SnapshotSettings {
  mode: SnapshotMode;
  /** an untracked file larger than this is left out (never read) */
  maxFileBytes: number;
  /** untracked files are kept, smallest first, while their sizes add up to at most this */
  maxTotalBytes: number;
}

export const SNAPSHOT_DEFAULTS: SnapshotSettings = { mode: 'full', maxFileBytes: 1024 * 1024, maxTotalBytes: 10 * 1024 * 1024 };

const MODES: readonly SnapshotMode[] = ['full', 'tracked', 'off'];

/** The settings, each from its environment variable, else its git config key, else the default. */
const SOURCES = {
  mode: { env: 'GIT_ML_SNAPSHOT', config: 'ml.snapshot' },
  maxFileBytes: { env: 'GIT_ML_SNAPSHOT_MAX_FILE_SIZE', config: 'ml.snapshotMaxFileSize' },
  maxTotalBytes: { env: 'GIT_ML_SNAPSHOT_MAX_TOTAL_SIZE', config: 'ml.snapshotMaxTotalSize' },
} as const;

/** A snapshot setting with a value git-ml does not understand. */
export class InvalidSnapshotSettingError extends GitMlError {
  constructor(where: string, value: string, expected: string, see = 'docs/tracking.md, "Source snapshots"') {
    super('INVALID_SNAPSHOT_SETTING', `Invalid ${where} = '${value}': expected ${expected}. Fix or unset it (see ${see}).`, { where, value });
  }
}

/** "1m", "512k", "10 MiB", "2000000" → bytes (git's own suffixes, powers of 1024); `where` names the setting in the error. */
export function parseSizeSetting(where: string, text: string, see?: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i.exec(text);
  if (!m) throw new InvalidSnapshotSettingError(where, text, 'a size in bytes, optionally with k, m or g (e.g. 1m, 512k)', see);
  const scale = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 1;
  return Math.floor(Number(m[1]) * scale);
}

/**
 * Resolves the snapshot settings from the environment, else git's configuration (`config(name)` is
 * the last value of a key, as {@link GitConfig.get}); a value that does not parse is an error naming
 * where it came from.
 */
export function resolveSnapshotSettings(env: NodeJS.ProcessEnv, config: (name: string) => string | undefined): SnapshotSettings {
  const pick = (k: keyof typeof SOURCES): { where: string; value: string } | null => {
    const s = SOURCES[k];
    const e = env[s.env];
    if (e !== undefined && e !== '') return { where: `environment variable ${s.env}`, value: e };
    const c = config(s.config);
    return c !== undefined ? { where: `git config ${s.config}`, value: c } : null;
  };
  const out = { ...SNAPSHOT_DEFAULTS };
  const mode = pick('mode');
  if (mode) {
    const v = mode.value.trim().toLowerCase() as SnapshotMode;
    if (!MODES.includes(v)) throw new InvalidSnapshotSettingError(mode.where, mode.value, MODES.join(', '));
    out.mode = v;
  }
  const file = pick('maxFileBytes');
  if (file) out.maxFileBytes = parseSizeSetting(file.where, file.value);
  const total = pick('maxTotalBytes');
  if (total) out.maxTotalBytes = parseSizeSetting(total.where, total.value);
  return out;
}
