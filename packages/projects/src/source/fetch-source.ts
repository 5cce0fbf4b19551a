import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ProjectSourceError } from '../errors.js';
import { checkoutCommit, isBranch, makeTempDir, resolveCommit } from './checkout.js';
import { gitReason, runGit } from './git-process.js';
import { parseProjectUri } from './parse-uri.js';

/** A project ready to run: its directory, and what is known of the code in it. */
export interface ProjectSource {
  /** the URI as given */
  uri: string;
  /** absolute directory of the project (holding the MLproject, if any) */
  dir: string;
  /** true when `dir` is the user's own directory; false for a temporary checkout */
  inPlace: boolean;
  /** root of the git work tree or checkout holding the project, or null outside git */
  repoRoot: string | null;
  /** the git directory the code's commit lives in (the user's repository, or a temporary clone) */
  gitDir: string | null;
  /** the project's directory inside the repository ('' for the root) */
  subdirectory: string;
  /** the commit checked out; null for in-place directories (recorded when the run is created) */
  commit: string | null;
  /** where the code came from: the git URL, or the origin / path of a local repository */
  repoUrl: string | null;
  /** the branch checked out, when the version named one */
  branch: string | null;
  /** the user's local repository the code came from (null for git URLs, which are cloned) */
  repoPath: string | null;
  /** deletes the temporary checkout, if any */
  cleanup(): void;
}

/** The git repository around `dir`: its work-tree root, `dir` relative to it, and its common git dir. */
export async function gitOf(dir: string): Promise<{ root: string; prefix: string; gitDir: string } | null> {
  const r = await runGit(['rev-parse', '--show-toplevel', '--show-prefix', '--git-common-dir'], { cwd: dir });
  if (r.status !== 0) return null;
  const [root, prefix, common] = r.stdout.split('\n');
  return { root, prefix: prefix.replace(/\/$/, ''), gitDir: isAbsolute(common) ? common : resolve(dir, common) };
}

/** The `origin` URL of a repository, else null. */
export async function originUrl(gitDir: string): Promise<string | null> {
  const r = await runGit(['--git-dir', gitDir, 'config', '--get', 'remote.origin.url']);
  return r.status === 0 ? r.stdout.trim() || null : null;
}

async function checkoutVersion(gitDir: string, version: string, where: string, uri: string, subdirectory: string, repoUrl: string | null, repoPath: string | null): Promise<ProjectSource> {
  const commit = await resolveCommit(gitDir, version);
  if (!commit) throw new ProjectSourceError(`Version '${version}' not found in ${where}: pass a branch, tag or commit that exists there.`, { uri, version });
  const tmp = makeTempDir('git-ml-project-');
  try {
    const root = join(tmp.path, 'src');
    await checkoutCommit(gitDir, commit, root);
    const dir = join(root, subdirectory);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new ProjectSourceError(`Subdirectory '${subdirectory}' does not exist in ${where} at ${version} (${commit.slice(0, 12)}).`, { uri, version, subdirectory });
    }
    const branch = (await isBranch(gitDir, version)) ? version : null;
    return { uri, dir, inPlace: false, repoRoot: root, gitDir, subdirectory, commit, repoUrl, branch, repoPath, cleanup: tmp.remove };
  } catch (err) {
    tmp.remove();
    throw err;
  }
}

/**
 * Finds or fetches a project. A local directory without `version` runs in place; with `version`
 * it must be in a git repository, and that commit is checked out into a temporary directory. A
 * git URL (`https://`, `ssh://`, `git@host:`, `file://`) is cloned with the user's git into a
 * temporary directory and `version` (default: the remote's HEAD) checked out. `#subdir` selects a
 * project inside the repository. The user's working tree, index and HEAD are never touched.
 */
export async function fetchProject(uri: string, version?: string): Promise<ProjectSource> {
  const parsed = parseProjectUri(uri);
  if (parsed.kind === 'local') {
    const base = resolve(parsed.location);
    const dir = resolve(base, parsed.subdirectory);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ProjectSourceError(`Project directory ${dir} does not exist (from '${uri}').`, { uri });
    const repo = await gitOf(dir);
    if (!version) {
      return { uri, dir, inPlace: true, repoRoot: repo?.root ?? null, gitDir: repo?.gitDir ?? null, subdirectory: repo?.prefix ?? '', commit: null, repoUrl: null, branch: null, repoPath: repo?.root ?? null, cleanup: () => {} };
    }
    if (!repo) throw new ProjectSourceError(`--version needs a git repository, but ${dir} is not inside one. Drop --version to run the directory as it is.`, { uri, version });
    return checkoutVersion(repo.gitDir, version, repo.root, uri, repo.prefix, (await originUrl(repo.gitDir)) ?? repo.root, repo.root);
  }
  const tmp = makeTempDir('git-ml-clone-');
  try {
    const gitDir = join(tmp.path, 'repo.git');
    const clone = await runGit(['clone', '--bare', '--quiet', '--', parsed.location, gitDir]);
    if (clone.status !== 0) {
      throw new ProjectSourceError(`Could not clone ${parsed.location}: ${gitReason(clone)}. Check the URL and that your git can reach it (it uses your credentials).`, { uri });
    }
    let branch: string | null = null;
    if (!version) {
      const head = await runGit(['--git-dir', gitDir, 'symbolic-ref', '--short', 'HEAD']);
      branch = head.status === 0 ? head.stdout.trim() : null;
    }
    const src = await checkoutVersion(gitDir, version ?? 'HEAD', parsed.location, uri, parsed.subdirectory, parsed.location, null);
    const removeCheckout = src.cleanup;
    return { ...src, branch: src.branch ?? branch, cleanup: () => (removeCheckout(), tmp.remove()) };
  } catch (err) {
    tmp.remove();
    throw err;
  }
}
