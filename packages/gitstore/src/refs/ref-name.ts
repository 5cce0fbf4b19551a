import { GitMlError } from '../errors.js';

/** Throws unless `name` passes the rules of `git check-ref-format` for a full ref name. */
export function assertRefName(name: string): void {
  const bad =
    !name.startsWith('refs/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.includes('..') ||
    name.includes('//') ||
    name.includes('@{') ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(name) ||
    name.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock') || c === '');
  if (bad) throw new GitMlError('INVALID_REF_NAME', `Internal error (a bug in git-ml): ${JSON.stringify(name)} is not a valid git ref name.`, { name });
}
