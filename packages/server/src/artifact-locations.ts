import { fileURLToPath } from 'node:url';
import type { Experiment, Run } from '@git-ml/tracking';
import { ApiError } from './errors.js';

/** Where MLflow clients are told a run's artifacts live. */
export class ArtifactLocations {
  /**
   * @param defaultRoot MLflow's `--default-artifact-root`: when set (a `file:` URI or a path), new
   * experiments' artifacts are handed out under it and clients write there themselves; otherwise
   * (the default, MLflow's `--serve-artifacts`) they go through this server's artifact proxy into git.
   */
  constructor(readonly defaultRoot?: string) {}

  experiment(exp: Experiment): string {
    if (!exp.artifact_location.startsWith('refs/ml/')) return exp.artifact_location;
    return this.defaultRoot ? `${this.defaultRoot.replace(/\/+$/, '')}/${exp.experiment_id}` : `mlflow-artifacts:/${exp.experiment_id}`;
  }

  run(exp: Experiment, runId: string): string {
    return `${this.experiment(exp)}/${runId}/artifacts`;
  }

  /** The local directory of a run whose artifact URI is a `file:` URI or a path (the client writes there directly). */
  localDir(artifactUri: string): string | null {
    if (artifactUri.startsWith('/')) return artifactUri;
    if (!artifactUri.startsWith('file:')) return null;
    try {
      return fileURLToPath(artifactUri);
    } catch {
      return null; // a file: URI naming another host is not a directory here
    }
  }
}

const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * Splits a proxied artifact path (`<experiment>/<run>/artifacts/<path>`, already URL-decoded per
 * segment) into its run and the path inside the run's artifacts. Anything that could name a file
 * outside the run — `..`, `.`, empty or absolute segments, backslashes, NUL, an encoded `/` — is refused.
 */
export function parseProxiedPath(rawSegments: string[]): { experimentId: string; runId: string; path: string } {
  const segs = rawSegments.map(decodeSegment);
  if (segs.length < 3 || segs[2] !== 'artifacts' || !RUN_ID.test(segs[1]) || !/^\d+$/.test(segs[0])) {
    throw new ApiError(
      'RESOURCE_DOES_NOT_EXIST',
      `No run artifacts at '${segs.join('/')}': git-ml serves proxied artifacts at <experiment_id>/<run_id>/artifacts/<path>, the artifact_uri of runs it hands out.`,
    );
  }
  return { experimentId: segs[0], runId: segs[1], path: segs.slice(3).join('/') };
}

/** Decodes one URL path segment and refuses the ones that could escape. */
export function decodeSegment(raw: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw invalidPath();
  }
  if (s === '..' || s === '.' || s.includes('/') || s.includes('\\') || s.includes('\0')) throw invalidPath();
  return s;
}

/** MLflow's `validate_path_is_safe`: relative, no `..`, no NUL, nothing encoded that decodes to those. */
export function safeRelativePath(p: string): string {
  let decoded = p;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      throw invalidPath();
    }
  }
  for (const s of [p, decoded]) {
    if (s.includes('\0') || s.includes('\\') || s.startsWith('/') || /^[a-zA-Z]:/.test(s) || s.split('/').some((x) => x === '..')) throw invalidPath();
  }
  return p.split('/').filter((x) => x !== '' && x !== '.').join('/');
}

export const invalidPath = () => new ApiError('INVALID_PARAMETER_VALUE', 'Invalid path');
