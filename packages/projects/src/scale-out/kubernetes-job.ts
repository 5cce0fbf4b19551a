import { runRef } from '@git-ml/tracking';

export interface KubernetesJobOptions {
  /** the docker_env image (any image with a shell, the project's tools and git when `pushRuns`) */
  image: string;
  /** the rendered entry-point command (see `renderCommand`), run with `sh -c` */
  command: string;
  runId: string;
  experimentId: string;
  /** a git URL the cluster can clone: the code and the run's ref are fetched from it */
  repoUrl: string;
  /** the source commit to check out */
  commit: string;
  /** the project's directory inside the repository */
  projectDir?: string;
  /** default `git-ml-<run id>` */
  name?: string;
  namespace?: string;
  /** more variables for the main container */
  env?: Record<string, string>;
  /** image of the init container that checks out the code; default `alpine/git:latest` */
  gitImage?: string;
  /** after the command, push the run's ref back to `repoUrl` (the image needs git and push credentials); default true */
  pushRuns?: boolean;
  /** MLflow's Kubernetes job template (`kube-job-template-path`), as an object: its fields are kept, ours filled in */
  template?: Record<string, unknown>;
}

const WORKSPACE = '/workspace';
const REPO = `${WORKSPACE}/repo`;

const CHECKOUT = [
  'set -e',
  'git clone --quiet --no-checkout -- "$GIT_ML_REPO_URL" /workspace/repo',
  'cd /workspace/repo',
  // the run's ref carries the source commit as a parent, so snapshot commits of dirty trees come along
  'git fetch --quiet origin "+$GIT_ML_RUN_REF:$GIT_ML_RUN_REF"',
  'git -c advice.detachedHead=false checkout --quiet --detach "$GIT_ML_COMMIT"',
].join('\n');

function mainScript(command: string, push: boolean): string {
  if (!push) return command;
  return `${command}\nstatus=$?\ngit -C ${REPO} push --quiet origin "$GIT_ML_RUN_REF" || echo "git-ml: could not push $GIT_ML_RUN_REF; the run stays in this pod" >&2\nexit $status`;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/**
 * A Kubernetes `batch/v1` Job that runs a project's command the way MLflow's Kubernetes backend
 * does (the docker_env image, the run's variables, `restartPolicy: Never`), the git-ml way: an init
 * container clones `repoUrl`, fetches the run's ref and checks out the source commit into a shared
 * volume; the main container runs the command there with `GIT_ML_REPO` pointing at that clone, so
 * git-ml logs into the run's ref, then pushes the ref back. The launcher creates the run and pushes
 * its ref before applying the Job (`kubectl apply -f job.yaml`).
 */
export function kubernetesJob(o: KubernetesJobOptions): Obj {
  const t = structuredClone(o.template ?? {}) as Obj;
  const ref = runRef(o.experimentId, o.runId);
  const name = o.name ?? `git-ml-${o.runId}`;
  const mount = { name: 'workspace', mountPath: WORKSPACE };
  const gitVars = [
    { name: 'GIT_ML_REPO_URL', value: o.repoUrl },
    { name: 'GIT_ML_COMMIT', value: o.commit },
    { name: 'GIT_ML_RUN_REF', value: ref },
  ];
  const runVars = { MLFLOW_RUN_ID: o.runId, MLFLOW_EXPERIMENT_ID: o.experimentId, MLFLOW_TRACKING_URI: `file://${REPO}`, GIT_ML_REPO: REPO, ...o.env };
  const templateSpec = obj(obj(obj(t.spec).template).spec);
  const [first, ...others] = list(templateSpec.containers);
  const main: Obj = {
    ...first,
    // MLflow's template names the container '{replaced with MLflow Project name}'
    name: typeof first?.name === 'string' && !first.name.includes('{') ? first.name : 'main',
    image: o.image,
    workingDir: o.projectDir ? `${REPO}/${o.projectDir}` : REPO,
    command: ['sh', '-c', mainScript(o.command, o.pushRuns !== false)],
    env: [...list(first?.env), ...gitVars, ...Object.entries(runVars).map(([k, v]) => ({ name: k, value: v }))],
    volumeMounts: [...list(first?.volumeMounts), mount],
  };
  const checkout = { name: 'git-ml-checkout', image: o.gitImage ?? 'alpine/git:latest', command: ['sh', '-c', CHECKOUT], env: gitVars, volumeMounts: [mount] };
  const podSpec: Obj = {
    ...templateSpec,
    restartPolicy: templateSpec.restartPolicy ?? 'Never',
    initContainers: [...list(templateSpec.initContainers), checkout],
    containers: [main, ...others],
    volumes: [...list(templateSpec.volumes), { name: 'workspace', emptyDir: {} }],
  };
  const labels = { 'app.kubernetes.io/managed-by': 'git-ml', 'git-ml/run-id': o.runId, 'git-ml/experiment-id': o.experimentId };
  const metadata = obj(t.metadata);
  const podTemplate = obj(obj(t.spec).template);
  return {
    ...t,
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...metadata, name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { ...obj(metadata.labels), ...labels } },
    spec: {
      backoffLimit: 0,
      ...obj(t.spec),
      template: { ...podTemplate, metadata: { ...obj(podTemplate.metadata), labels: { ...obj(obj(podTemplate.metadata).labels), ...labels } }, spec: podSpec },
    },
  };
}
