import { GitMlError } from '../errors.js';
import { readGitConfig } from '../repo/config.js';

/** An http(s) remote, as the isomorphic-git fallback reaches it: the URL without userinfo, and credentials. */
export interface HttpRemote {
  /** the remote as the caller named it (a remote name or a URL), for messages */
  name: string;
  /** the URL without userinfo (it must not appear in messages) */
  url: string;
  username?: string;
  password?: string;
}

/** The environment variables the fallback takes credentials from (after the URL's own userinfo). */
export const HTTP_USERNAME_VAR = 'GIT_ML_HTTP_USERNAME';
export const HTTP_PASSWORD_VAR = 'GIT_ML_HTTP_PASSWORD';

/**
 * Resolves `remote` for transport without a git binary: a name is looked up as `remote.<name>.url`
 * (`pushurl` for a push) in git's config; anything else is taken as a URL. Only http(s) works here:
 * ssh and local paths need git itself, and the error says so.
 */
export function resolveHttpRemote(commonDir: string, remote: string, forPush: boolean): HttpRemote {
  const config = readGitConfig(commonDir);
  const configured = (forPush ? config.get(`remote.${remote}.pushurl`) : undefined) ?? config.get(`remote.${remote}.url`);
  const raw = configured ?? remote;
  let url: URL | null = null;
  try {
    url = /^https?:\/\//i.test(raw) ? new URL(raw) : null;
  } catch {
    url = null;
  }
  if (!url) {
    const kind = /^[\w.+-]+@[^:/]+:|^ssh:\/\//i.test(raw) ? 'an ssh remote' : /^[a-z][\w+.-]*:\/\//i.test(raw) ? `a ${raw.split(':')[0]} remote` : configured === undefined && !/[/\\.]/.test(raw) ? 'a remote name that is not configured here (and not an http(s) URL)' : 'a local path';
    throw new GitMlError(
      'GIT_NOT_FOUND',
      `Could not reach "${remote}" (${kind}) without git: git is not installed (not on PATH), and without it git-ml reaches only http(s) remotes. Install git, or use an https URL (e.g. \`git-ml push https://host/owner/repo.git\`, or set remote.${/^[\w.-]+$/.test(remote) ? remote : 'NAME'}.url to one).`,
      { remote, kind },
    );
  }
  const username = url.username ? decodeURIComponent(url.username) : process.env[HTTP_USERNAME_VAR];
  const password = url.password ? decodeURIComponent(url.password) : process.env[HTTP_PASSWORD_VAR];
  url.username = '';
  url.password = '';
  return { name: remote, url: url.toString().replace(/\/+$/, ''), username: username || (password ? 'git-ml' : undefined), password };
}
