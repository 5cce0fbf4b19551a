import { fileURLToPath } from 'node:url';

/**
 * Which repository to use: the explicit option, then `GIT_ML_REPO`, then `MLFLOW_TRACKING_URI`
 * (a path or a `file:` URI), then the current directory (git finds the repository around it).
 */
export function resolveRepo(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.GIT_ML_REPO) return process.env.GIT_ML_REPO;
  const uri = process.env.MLFLOW_TRACKING_URI;
  if (uri) {
    if (uri.startsWith('file:')) return fileURLToPath(uri);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  }
  return process.cwd();
}
