/**
 * The Python workshop flow (MLflow's real client, scikit-learn, XGBoost) against `git-ml server`, then
 * checked from git's side. Needs MLflow's source (`bash ../shared/mlflow-python/setup.sh $MLFLOW_PY_DIR`);
 * skipped, saying so, without it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MlClient } from '@git-ml/tracking';
import { git, serve, tempDir } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '../../cli/bin/git-ml.js');
const gitMl = (repo: string, ...args: string[]) => execFileSync(process.execPath, [CLI, '--repo', repo, ...args], { encoding: 'utf8' });
const MLFLOW = process.env.MLFLOW_PY_DIR ?? '/tmp/mlflow-py';
const available = existsSync(join(MLFLOW, 'src/mlflow/__init__.py')) && existsSync('/usr/bin/python3');
const why = available ? '' : ` (skipped: MLflow's Python source is not at ${MLFLOW}; run \`bash ../shared/mlflow-python/setup.sh ${MLFLOW}\` or set MLFLOW_PY_DIR)`;

function python(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn('/usr/bin/python3', [script], { cwd, env: { ...process.env, ...env, PYTHONPATH: [join(MLFLOW, 'src'), join(MLFLOW, 'deps'), MLFLOW].join(':') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, out }));
  });
}

describe(`Python's MLflow client against git-ml server${why}`, () => {
  it.skipIf(!available)(`runs the workshop: sklearn and XGBoost runs, models registered, champion loaded by alias, autolog — all in git${available ? '' : ' (skipped: MLflow\'s Python source is not set up; .ci/run sets it up from the shared mlflow-python folder)'}`, async () => {
    const h = await serve();
    const { code, out } = await python(join(HERE, 'python/workshop_flow.py'), { MLFLOW_TRACKING_URI: h.url }, tempDir('py-cwd-'));
    expect(code, out.slice(-4000)).toBe(0);
    const summary = JSON.parse(out.trim().split('\n').pop()!) as {
      runs: Record<string, string>;
      champion_accuracy: number;
      xgb_accuracy: number;
      autolog_params: string[];
      autolog_metrics: string[];
      versions: string[];
    };
    expect(summary.champion_accuracy).toBeCloseTo(summary.xgb_accuracy, 6);
    expect(summary.champion_accuracy).toBeGreaterThan(0.7);
    expect(summary.versions).toEqual(['1', '2']);
    expect(summary.autolog_params).toContain('max_iter');
    expect(summary.autolog_metrics).toContain('training_accuracy_score');

    await h.server.close();
    const ml = new MlClient({ repo: h.repo });
    try {
      const exp = ml.getExperimentByName('workshop-py')!.experiment_id;
      const runs = ml.searchRuns(exp).runs;
      expect(runs.map((r) => r.info.run_name).sort()).toEqual(['autolog', 'logreg', 'xgboost']);
      expect(runs.every((r) => r.info.status === 'FINISHED')).toBe(true);
      const logreg = summary.runs.logreg;
      expect(ml.getMetricHistory(logreg, 'accuracy_curve')).toHaveLength(3);
      expect(ml.listArtifacts(logreg).map((a) => a.path).sort()).toEqual(['data.json', 'model']);
      expect(git(h.repo, 'show', `refs/ml/runs/${exp}/${logreg}:artifacts/model/MLmodel`)).toContain('sklearn');
    } finally {
      ml.close();
    }
    expect(git(h.repo, 'tag', '-l').split('\n').sort()).toEqual(['workshop-py-model@v1', 'workshop-py-model@v2']);
    expect(git(h.repo, 'show', 'workshop-py-model@v2:artifacts/model/MLmodel')).toContain('xgboost');
    expect(git(h.repo, 'log', '--format=%s', 'refs/ml/registry/workshop-py-model')).toContain('champion');

    // the CLI lists the runs, and `git ml push` shares runs, registry and version tags
    const listed = JSON.parse(gitMl(h.repo, 'runs', 'list', '--experiment', 'workshop-py', '--json')).runs.map((r: { info: { run_name: string } }) => r.info.run_name);
    expect(listed.sort()).toEqual(['autolog', 'logreg', 'xgboost']);
    const remote = tempDir('remote-');
    git(remote, 'init', '-q', '--bare');
    git(h.repo, 'remote', 'add', 'origin', remote);
    gitMl(h.repo, 'push', 'origin');
    expect(git(remote, 'tag', '-l').split('\n').sort()).toEqual(['workshop-py-model@v1', 'workshop-py-model@v2']);
    expect(git(remote, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs/').split('\n')).toHaveLength(3);
  }, 300_000);
});
