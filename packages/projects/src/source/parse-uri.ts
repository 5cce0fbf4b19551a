import { ProjectSourceError } from '../errors.js';

/** Where a project comes from: a local path or a git URL, and the subdirectory after `#`. */
export interface ProjectUri {
  kind: 'local' | 'git';
  location: string;
  subdirectory: string;
}

const GIT_URL = /^(?:(?:git\+)?(?:https?|ssh|git|file):\/\/|[\w.-]+@[\w.-]+:)/i;

/** True for URLs that git fetches: `https://`, `ssh://`, `git://`, `file://`, `user@host:path`. */
export function isGitUrl(uri: string): boolean {
  return GIT_URL.test(uri);
}

/**
 * Splits a project URI (MLflow's syntax): `https://host/repo.git#sub/dir`, `file:///srv/repo#proj`,
 * `git@host:org/repo.git`, or a local path (which may also take `#subdir`).
 */
export function parseProjectUri(uri: string): ProjectUri {
  if (!uri) throw new ProjectSourceError('No project given: pass a directory or a git URL (e.g. . or https://host/repo.git#subdir).', {});
  const hash = uri.indexOf('#');
  const location = hash < 0 ? uri : uri.slice(0, hash);
  const subdirectory = hash < 0 ? '' : uri.slice(hash + 1).replace(/^\/+|\/+$/g, '');
  if (subdirectory.split('/').some((s) => s === '..' || s === '.')) {
    throw new ProjectSourceError(`Invalid project subdirectory '${subdirectory}' in ${uri}: it must be a path inside the repository, without '.' or '..' segments.`, { uri });
  }
  return { kind: isGitUrl(location) ? 'git' : 'local', location: location.replace(/^git\+/, ''), subdirectory };
}
