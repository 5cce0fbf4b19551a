/**
 * The tags a project run carries. MLflow's names where MLflow has them; git-ml's own under `git-ml.`.
 * A script that is not launched by `runProject` can set `entryPoint` (and `projectDir`) itself to
 * make its runs reproducible with `reproduce()`.
 */
export const PROJECT_TAGS = {
  sourceType: 'mlflow.source.type',
  sourceName: 'mlflow.source.name',
  commit: 'mlflow.source.git.commit',
  repoUrl: 'mlflow.source.git.repoURL',
  branch: 'mlflow.source.git.branch',
  entryPoint: 'mlflow.project.entryPoint',
  env: 'mlflow.project.env',
  backend: 'mlflow.project.backend',
  dockerImage: 'mlflow.docker.image.name',
  /** the project's directory inside the repository ('' or absent: the root) */
  projectDir: 'git-ml.project.dir',
  /** JSON of the parameters given at launch (defaults are re-derived on reproduction) */
  projectParams: 'git-ml.project.params',
  /** the local repository the code came from, when it is not the tracking repository */
  repoPath: 'git-ml.source.repoPath',
  sourceHead: 'git-ml.source.head',
  sourceDirty: 'git-ml.source.dirty',
  /** on a reproduction: the id of the run it reproduces */
  reproduces: 'git-ml.reproduces',
} as const;
