import { execFileSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN_DIR, cleanEnv, git, gitMl, ok, refOf, startRun, tempRepo } from './harness.js';

describe('the start → log → end → list flow', () => {
  it('works as a shell script: RUN=$(git-ml runs start …), log, end, list', () => {
    const repo = tempRepo();
    const script = `
      set -e
      RUN=$(git-ml runs start --experiment mnist --name baseline --tag team=vision)
      git-ml runs log "$RUN" --param lr=0.01 --param opt=adam --metric loss=0.5@1 --metric loss=0.25@2 --tag stage=tuning
      git-ml runs end "$RUN"
      echo "RUN=$RUN"
      git-ml runs list --experiment mnist
    `;
    const out = execFileSync('sh', ['-c', script], {
      cwd: repo,
      env: cleanEnv({ PATH: `${BIN_DIR}${delimiter}${process.env.PATH}` }),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const runId = /^RUN=([0-9a-f]{32})$/m.exec(out)?.[1];
    expect(runId).toBeDefined();
    // the table shortens ids to a unique prefix when that makes room for the run's metrics and params
    const row = out.split('\n').find((l) => l.includes('baseline'));
    expect(runId!.startsWith(row!.split(' ')[0])).toBe(true);
    expect(row).toMatch(/^[0-9a-f]{8,32} +baseline\s+mnist\s+FINISHED/);

    const ref = refOf(repo, runId!);
    expect(ref).toMatch(new RegExp(`^refs/ml/runs/\\d+/${runId}$`));
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/experiments')).toMatch(/^refs\/ml\/experiments\/\d+$/m);
    expect(git(repo, 'show', `${ref}:params.yaml`)).toMatch(/^lr: "0\.01"$/m);
    expect(git(repo, 'show', `${ref}:tags.yaml`)).toMatch(/team/);
    expect(git(repo, 'show', `${ref}:run.yaml`)).toMatch(/FINISHED/);
    git(repo, 'fsck', '--strict');
  });

  it('runs start prints only the run id on stdout and says on stderr that it created the experiment', () => {
    const repo = tempRepo();
    const r = gitMl(repo, ['runs', 'start', '--experiment', 'brand-new']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{32}\n$/);
    expect(r.stderr).toMatch(/created experiment 'brand-new'/);
    const again = gitMl(repo, ['runs', 'start', '--experiment', 'brand-new']);
    expect(again.stderr).not.toMatch(/created experiment/);
  });

  it('runs start without --experiment uses MLFLOW_EXPERIMENT_NAME, then MLFLOW_EXPERIMENT_ID, else the Default experiment', () => {
    const repo = tempRepo();
    const inDefault = startRun(repo);
    expect(refOf(repo, inDefault)).toBe(`refs/ml/runs/0/${inDefault}`);
    const fromName = gitMl(repo, ['runs', 'start'], { MLFLOW_EXPERIMENT_NAME: 'from-env' }).stdout.trim();
    const exp = JSON.parse(ok(repo, 'experiments', 'list', '--json')).experiments.find((e: { name: string }) => e.name === 'from-env');
    expect(refOf(repo, fromName)).toBe(`refs/ml/runs/${exp.experiment_id}/${fromName}`);
    const byId = ok(repo, 'experiments', 'create', 'by-id').trim();
    const fromId = gitMl(repo, ['runs', 'start'], { MLFLOW_EXPERIMENT_ID: byId }).stdout.trim();
    expect(refOf(repo, fromId)).toBe(`refs/ml/runs/${byId}/${fromId}`);
    const missing = gitMl(repo, ['runs', 'start'], { MLFLOW_EXPERIMENT_ID: '12345' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^git-ml: error: No experiment with id '12345'/);
  });

  it('a run started by the CLI stays RUNNING after the command exits, and end sets the status given', () => {
    const repo = tempRepo();
    const runId = startRun(repo, '--name', 'long');
    ok(repo, 'runs', 'log', runId, '--metric', 'loss=1');
    expect(JSON.parse(ok(repo, 'runs', 'show', runId, '--json')).run.info.status).toBe('RUNNING');
    ok(repo, 'runs', 'end', runId, '--status', 'FAILED');
    const info = JSON.parse(ok(repo, 'runs', 'show', runId, '--json')).run.info;
    expect(info.status).toBe('FAILED');
    expect(info.end_time).toBeGreaterThanOrEqual(info.start_time);
    expect(git(repo, 'show', `${refOf(repo, runId)}:run.yaml`)).toMatch(/FAILED/);
  });

  it('runs log splits params at the first = and metrics at the last @, and stores them for git', () => {
    const repo = tempRepo();
    const runId = startRun(repo);
    ok(repo, 'runs', 'log', runId, '--param', 'expr=a=b@c', '--metric', 'loss=0.125@7', '--metric', 'gain=-inf');
    const run = JSON.parse(ok(repo, 'runs', 'show', runId, '--json')).run;
    expect(run.data.params).toEqual([{ key: 'expr', value: 'a=b@c' }]);
    const loss = run.data.metrics.find((m: { key: string }) => m.key === 'loss');
    expect(loss).toMatchObject({ value: 0.125, step: 7 });
    expect(run.data.metrics.find((m: { key: string }) => m.key === 'gain').value).toBe('-Infinity');
    expect(git(repo, 'show', `${refOf(repo, runId)}:params.yaml`)).toMatch(/^expr: "a=b@c"$/m);
  });

  it('runs delete hides a run from the list, --deleted shows it, restore brings it back', () => {
    const repo = tempRepo();
    const runId = startRun(repo);
    const ids = (...args: string[]) => JSON.parse(ok(repo, 'runs', 'list', '--json', ...args)).runs.map((r: { info: { run_id: string } }) => r.info.run_id);
    ok(repo, 'runs', 'delete', runId);
    expect(ids()).not.toContain(runId);
    expect(ids('--deleted')).toEqual([runId]);
    expect(git(repo, 'show', `${refOf(repo, runId)}:run.yaml`)).toMatch(/deleted/);
    ok(repo, 'runs', 'restore', runId);
    expect(ids()).toEqual([runId]);
  });
});
