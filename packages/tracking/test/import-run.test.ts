import { afterAll, describe, expect, it } from 'vitest';
import { MlClient } from '@git-ml/tracking';
import { git, removeTempDirs, tempDir } from '@git-ml/test-support';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

afterAll(removeTempDirs);

function repo(): string {
  const d = tempDir('gitml-importrun-');
  git(d, 'init', '-q');
  return d;
}

const RUN = '0123456789abcdef0123456789abcdef';
const record = (experimentId: string, artifactsDir: string | null = null) => ({
  info: { run_id: RUN, run_name: 'old', experiment_id: experimentId, user_id: 'ana', status: 'FINISHED' as const, start_time: 1000, end_time: 2000, lifecycle_stage: 'active' as const },
  params: { lr: '0.1' },
  tags: { 'mlflow.runName': 'old', 'mlflow.user': 'ana' },
  metrics: { loss: [{ value: NaN, timestamp: 1500, step: 0 }, { value: 0.5, timestamp: 1600, step: 1 }] },
  artifactsDir,
});

describe('MlClient.importRun / importExperiment (the internal entry points of git-ml import)', () => {
  it('keeps the given experiment id, run id, times, user, tags and history; a second import changes nothing', async () => {
    const d = repo();
    const art = tempDir('gitml-importrun-art-');
    mkdirSync(join(art, 'm'));
    writeFileSync(join(art, 'm', 'f.txt'), 'x');
    const c = new MlClient({ repo: d });
    c.importExperiment({ experiment_id: '42', name: 'old-exp', lifecycle_stage: 'active', creation_time: 5, last_update_time: 6, tags: [{ key: 'k', value: 'v' }] });
    expect(await c.importRun(record('42', art))).toMatchObject({ outcome: 'created', params: 1, metricPoints: 2, artifacts: true });
    c.close();
    const c2 = new MlClient({ repo: d });
    expect(c2.getExperiment('42')).toMatchObject({ name: 'old-exp', creation_time: 5, last_update_time: 6 });
    const run = c2.getRun(RUN);
    expect(run.info).toMatchObject({ run_id: RUN, experiment_id: '42', user_id: 'ana', start_time: 1000, end_time: 2000, status: 'FINISHED' });
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'mlflow.user', value: 'ana' }]));
    expect(run.data.tags.find((t) => t.key === 'mlflow.source.git.commit')).toBeUndefined();
    expect(c2.getMetricHistory(RUN, 'loss').map((m) => m.value)).toEqual([NaN, 0.5]);
    expect(await c2.importRun(record('42', art))).toMatchObject({ outcome: 'unchanged', metricPoints: 0, artifacts: false });
    c2.close();
    expect(git(d, 'show', `refs/ml/runs/42/${RUN}:artifacts/m/f.txt`)).toBe('x');
  });

  it('rejects an id that is not 32 hex, a taken experiment id, and a run that lives in another experiment — writing nothing', async () => {
    const d = repo();
    const c = new MlClient({ repo: d });
    c.importExperiment({ experiment_id: '7', name: 'a', lifecycle_stage: 'active', creation_time: 1, last_update_time: 1, tags: [] });
    expect(() => c.importExperiment({ experiment_id: '7', name: 'b', lifecycle_stage: 'active', creation_time: 1, last_update_time: 1, tags: [] })).toThrow(/already taken/);
    await expect(c.importRun({ ...record('7'), info: { ...record('7').info, run_id: 'xyz' } })).rejects.toThrow(/32 lowercase hexadecimal/);
    await expect(c.importRun({ ...record('7'), params: { '/abs': 'v' } })).rejects.toThrow(/Invalid param name/);
    await c.importRun(record('7'));
    await expect(c.importRun(record('0'))).rejects.toThrow(/already exists here in experiment 7/);
    c.close();
    expect(git(d, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs')).toBe(`refs/ml/runs/7/${RUN}`);
  });
});
