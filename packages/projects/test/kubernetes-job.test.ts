/**
 * Scale out: the Kubernetes Job manifest for a project run, with and without MLflow's job template.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { kubernetesJob } from '@git-ml/projects';

const base = {
  image: 'registry.example.com/train:3',
  command: "python train.py --alpha 0.5 --note 'a b'",
  runId: '0190a1b2c3d4e5f60718293a4b5c6d7e',
  experimentId: '12',
  repoUrl: 'https://git.example.com/team/churn.git',
  commit: 'a'.repeat(40),
  projectDir: 'models/churn',
};

type Container = { name: string; image: string; command: string[]; workingDir?: string; env: { name: string; value: string }[]; volumeMounts: unknown[]; resources?: unknown };

describe('kubernetesJob', () => {
  it('runs the command in the image on a checkout of the source commit, with the run variables, and pushes the run ref back', () => {
    const job = kubernetesJob(base) as { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> }; spec: { backoffLimit: number; template: { spec: { restartPolicy: string; initContainers: Container[]; containers: Container[]; volumes: unknown[] } } } };
    expect([job.apiVersion, job.kind, job.metadata.name, job.spec.backoffLimit]).toEqual(['batch/v1', 'Job', `git-ml-${base.runId}`, 0]);
    expect(job.metadata.labels['git-ml/run-id']).toBe(base.runId);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.volumes).toEqual([{ name: 'workspace', emptyDir: {} }]);
    const [checkout] = pod.initContainers;
    expect(checkout.env).toEqual([
      { name: 'GIT_ML_REPO_URL', value: base.repoUrl },
      { name: 'GIT_ML_COMMIT', value: base.commit },
      { name: 'GIT_ML_RUN_REF', value: `refs/ml/runs/12/${base.runId}` },
    ]);
    const [main] = pod.containers;
    expect(main.image).toBe(base.image);
    expect(main.workingDir).toBe('/workspace/repo/models/churn');
    expect(main.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(main.command[2].split('\n')[0]).toBe(base.command);
    expect(main.command[2]).toContain('push --quiet origin "$GIT_ML_RUN_REF"');
    expect(Object.fromEntries(main.env.map((e) => [e.name, e.value]))).toMatchObject({
      MLFLOW_RUN_ID: base.runId,
      MLFLOW_EXPERIMENT_ID: '12',
      MLFLOW_TRACKING_URI: 'file:///workspace/repo',
      GIT_ML_REPO: '/workspace/repo',
    });
    // the scripts are valid sh, and the manifest survives a YAML round trip
    for (const script of [checkout.command[2], main.command[2]]) execFileSync('sh', ['-n', '-c', script]);
    expect(YAML.parse(YAML.stringify(job))).toEqual(job);
  });

  it('fills in MLflow’s job template, keeping its own fields', () => {
    const template = YAML.parse(`apiVersion: batch/v1
kind: Job
metadata:
  name: "{replaced with MLflow Project name}"
  namespace: mlflow
spec:
  ttlSecondsAfterFinished: 100
  backoffLimit: 1
  template:
    spec:
      containers:
      - name: "{replaced with MLflow Project name}"
        image: "{replaced with URI of Docker image created during Project execution}"
        command: ["{replaced with MLflow Project entry point command}"]
        resources:
          limits: {memory: 512Mi}
      restartPolicy: Never
`);
    const job = kubernetesJob({ ...base, template, pushRuns: false, name: 'churn-train' }) as { metadata: { name: string; namespace: string }; spec: { ttlSecondsAfterFinished: number; backoffLimit: number; template: { spec: { containers: Container[] } } } };
    expect([job.metadata.name, job.metadata.namespace, job.spec.ttlSecondsAfterFinished, job.spec.backoffLimit]).toEqual(['churn-train', 'mlflow', 100, 1]);
    const [main] = job.spec.template.spec.containers;
    expect(main.image).toBe(base.image);
    expect(main.command).toEqual(['sh', '-c', base.command]);
    expect(main.resources).toEqual({ limits: { memory: '512Mi' } });
  });
});
