/** MlClient.logInputs / getRunInputs (MLflow's log_inputs) and createRun's userId, on a real repository. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { INPUTS_TAG } from '@git-ml/tracking';
import { caught, closeClients, git, makeRepo, openClient, removeTempDirs } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

describe('dataset inputs', () => {
  it('records inputs in the run record, replaces a dataset logged again by name and digest, and other clients read them', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun('0', { recordSource: false }).info.run_id;
    const train = { dataset: { name: 'train', digest: 'd1', source_type: 'local', source: '{"uri": "/data/train.csv"}', schema: '{}', profile: '{"num_rows": 2}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] };
    c.logInputs(run, [train]);
    c.logInputs(run, [{ ...train, tags: [{ key: 'mlflow.data.context', value: 'eval' }] }, { dataset: { name: 'test', digest: 'd2', source_type: 'local', source: 's' }, tags: [] }]);
    expect(c.getRunInputs(run).map((d) => [d.dataset.name, d.tags[0]?.value])).toEqual([['train', 'eval'], ['test', undefined]]);
    expect(caught(() => c.logInputs(run, [{ dataset: { name: 'x' }, tags: [] } as never])).code).toBe('INVALID_PARAMETER_VALUE');
    c.close();
    const other = openClient(repo);
    expect(other.getRunInputs(run)).toHaveLength(2);
    expect(git(repo, 'show', `refs/ml/runs/0/${run}:tags.yaml`)).toContain(INPUTS_TAG);
  });

  it('createRun takes the user id a tracking server passes', () => {
    const c = openClient(makeRepo());
    const run = c.createRun('0', { recordSource: false, userId: 'ada' });
    expect(run.info.user_id).toBe('ada');
    expect(run.data.tags).toContainEqual({ key: 'mlflow.user', value: 'ada' });
  });
});
