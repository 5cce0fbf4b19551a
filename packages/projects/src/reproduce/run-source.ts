import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MlClient } from '@git-ml/tracking';
import { NotReproducibleError } from '../errors.js';
import { PROJECT_TAGS as T } from '../launch/tags.js';
import { checkoutCommit, makeTempDir, resolveCommit } from '../source/checkout.js';
import type { ProjectSource } from '../source/fetch-source.js';
import { gitOf } from '../source/fetch-source.js';
import { runGit } from '../source/git-process.js';
import { gitOf as trackingGit } from '@git-ml/tracking/internal';

/** The git dir holding `commit`: the tracking repository, the recorded local repository, else a clone of the recorded URL. */
async function findCommit(client: MlClient, tags: Record<string, string>, commit: string): Promise<{ gitDir: string; cleanup(): void } | null> {
  const none = () => {};
  if (await resolveCommit(trackingGit(client).location.commonDir, commit)) return { gitDir: trackingGit(client).location.commonDir, cleanup: none };
  const local = tags[T.repoPath];
  if (local && existsSync(local)) {
    const repo = await gitOf(local);
    if (repo && (await resolveCommit(repo.gitDir, commit))) return { gitDir: repo.gitDir, cleanup: none };
  }
  const url = tags[T.repoUrl];
  if (!url) return null;
  const tmp = makeTempDir('git-ml-clone-');
  const gitDir = join(tmp.path, 'repo.git');
  const clone = await runGit(['clone', '--bare', '--quiet', '--', url, gitDir]);
  if (clone.status === 0 && (await resolveCommit(gitDir, commit))) return { gitDir, cleanup: tmp.remove };
  tmp.remove();
  return null;
}

/**
 * Checks out the code a run ran on (its `mlflow.source.git.commit`, dirty-tree snapshots included)
 * into a temporary directory, as a project source whose tags repeat the original's.
 */
export async function checkoutRunSource(client: MlClient, runId: string, tags: Record<string, string>): Promise<ProjectSource> {
  const commit = tags[T.commit];
  if (!commit) {
    throw new NotReproducibleError(`Run ${runId} has no source commit (tag ${T.commit}): it was not logged from a git repository, so there is no code to check out.`, { run_id: runId });
  }
  const found = await findCommit(client, tags, commit);
  if (!found) {
    const where = [tags[T.repoPath], tags[T.repoUrl]].filter(Boolean).join(' or ');
    throw new NotReproducibleError(
      `Commit ${commit} of run ${runId} is not in this repository${where ? ` nor in ${where}` : ''}. Fetch it (\`git-ml pull\` brings the code of pulled runs) and retry.`,
      { run_id: runId, commit },
    );
  }
  const tmp = makeTempDir('git-ml-reproduce-');
  try {
    const root = join(tmp.path, 'src');
    await checkoutCommit(found.gitDir, commit, root);
    const subdirectory = tags[T.projectDir] ?? '';
    const dir = join(root, subdirectory);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new NotReproducibleError(`Run ${runId} ran in '${subdirectory}' (tag ${T.projectDir}), which does not exist at commit ${commit.slice(0, 12)}.`, { run_id: runId });
    }
    return {
      uri: tags[T.sourceName] ?? commit,
      dir,
      inPlace: false,
      repoRoot: root,
      gitDir: found.gitDir,
      subdirectory,
      commit,
      repoUrl: tags[T.repoUrl] ?? null,
      branch: tags[T.branch] ?? null,
      repoPath: tags[T.repoPath] ?? null,
      cleanup: () => (tmp.remove(), found.cleanup()),
    };
  } catch (err) {
    tmp.remove();
    found.cleanup();
    throw err;
  }
}
