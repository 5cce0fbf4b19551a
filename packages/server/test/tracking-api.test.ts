import { describe, expect, it } from 'vitest';
import { metricLinesViaGit } from '@git-ml/test-support';
import { MlClient } from '@git-ml/tracking';
import { fsckStrict, git, serve } from './helpers.js';

const API = '/api/2.0/mlflow';

describe('tracking endpoints over real HTTP', () => {
  it('creates, reads, searches, renames, deletes and restores experiments under both prefixes', async () => {
    const h = await serve();
    const created = await h.call('POST', `${API}/experiments/create`, { name: 'churn', tags: [{ key: 'team', value: 'growth' }] });
    expect(created.status).toBe(200);
    const id = created.json.experiment_id as string;
    const got = await h.call('GET', '/ajax-api/2.0/mlflow/experiments/get', { experiment_id: id });
    expect(got.json.experiment).toMatchObject({ name: 'churn', lifecycle_stage: 'active', artifact_location: `mlflow-artifacts:/${id}`, tags: [{ key: 'team', value: 'growth' }] });
    expect((await h.call('GET', `${API}/experiments/get-by-name`, { experiment_name: 'churn' })).json.experiment.experiment_id).toBe(id);

    const dup = await h.call('POST', `${API}/experiments/create`, { name: 'churn' });
    expect(dup).toMatchObject({ status: 400, json: { error_code: 'RESOURCE_ALREADY_EXISTS' } });

    await h.call('POST', `${API}/experiments/update`, { experiment_id: id, new_name: 'churn-v2' });
    await h.call('POST', `${API}/experiments/delete`, { experiment_id: id });
    const active = await h.call('POST', `${API}/experiments/search`, { max_results: 10 });
    expect(active.json.experiments.map((e: { name: string }) => e.name)).toEqual(['Default']);
    const deleted = await h.call('GET', `${API}/experiments/search`, { view_type: 'DELETED_ONLY' });
    expect(deleted.json.experiments.map((e: { name: string }) => e.name)).toEqual(['churn-v2']);
    await h.call('POST', `${API}/experiments/restore`, { experiment_id: id });
    const filtered = await h.call('POST', `${API}/experiments/search`, { filter: "tags.team = 'growth'" });
    expect(filtered.json.experiments.map((e: { name: string }) => e.name)).toEqual(['churn-v2']);
    expect(git(h.repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/experiments/')).toContain(`refs/ml/experiments/${id}`);
  });

  it('logs a run (metric incl. NaN, params, tags, batch) that the SDK and git see, and folds it on close', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'e' })).json.experiment_id;
    const run = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp, run_name: 'r1', start_time: '1700000000000', user_id: 'ada', tags: [{ key: 'k', value: 'v' }] })).json.run;
    expect(run.info).toMatchObject({ run_name: 'r1', user_id: 'ada', status: 'RUNNING', start_time: 1700000000000, artifact_uri: `mlflow-artifacts:/${exp}/${run.info.run_id}/artifacts` });
    expect(run.info.end_time).toBeUndefined();
    const id = run.info.run_id as string;
    expect((await h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'loss', value: 0.5, timestamp: 10, step: 1 })).status).toBe(200);
    await h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'odd', value: 'NaN', timestamp: '11' });
    await h.call('POST', `${API}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.1' });
    await h.call('POST', `${API}/runs/set-tag`, { run_uuid: id, key: 'gone', value: 'x' });
    await h.call('POST', `${API}/runs/delete-tag`, { run_id: id, key: 'gone' });
    await h.call('POST', `${API}/runs/log-batch`, { run_id: id, metrics: [{ key: 'loss', value: 0.25, timestamp: 20, step: 2 }], params: [{ key: 'depth', value: '3' }], tags: [{ key: 'team', value: 'ml' }] });
    await h.call('POST', `${API}/runs/update`, { run_id: id, status: 'FINISHED', end_time: 1700000001000 });

    const got = (await h.call('GET', `${API}/runs/get`, { run_id: id })).json.run;
    expect(got.info).toMatchObject({ status: 'FINISHED', end_time: 1700000001000 });
    const metrics = Object.fromEntries(got.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]));
    expect(metrics).toEqual({ loss: 0.25, odd: 'NaN' });
    expect(got.data.params).toEqual(expect.arrayContaining([{ key: 'lr', value: '0.1' }, { key: 'depth', value: '3' }]));
    expect(got.data.tags.map((t: { key: string }) => t.key)).not.toContain('gone');

    const sdk = new MlClient({ repo: h.repo });
    try {
      expect(sdk.getRun(id).data.params.find((p) => p.key === 'lr')?.value).toBe('0.1');
      expect(sdk.getMetricHistory(id, 'loss').map((m) => m.value)).toEqual([0.5, 0.25]);
    } finally {
      sdk.close();
    }
    await h.server.close();
    const ref = `refs/ml/runs/${exp}/${id}`;
    expect(metricLinesViaGit(h.repo, ref, 'loss')).toEqual(['10 0.5 1', '20 0.25 2']);
    expect(git(h.repo, 'show', `${ref}:params.yaml`)).toContain('lr: "0.1"');
    fsckStrict(h.repo);
  });

  it('searches runs with filter, order_by and page tokens, and pages metric history', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 's' })).json.experiment_id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp, start_time: 1000 + i })).json.run.info.run_id;
      await h.call('POST', `${API}/runs/log-batch`, { run_id: id, metrics: [{ key: 'acc', value: i / 10, timestamp: 1 }], params: [{ key: 'i', value: String(i) }] });
      ids.push(id);
    }
    const first = await h.call('POST', `${API}/runs/search`, { experiment_ids: [exp], filter: 'metrics.acc >= 0.1', order_by: ['metrics.acc DESC'], max_results: 2 });
    expect(first.json.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([ids[4], ids[3]]);
    const second = await h.call('POST', `${API}/runs/search`, { experiment_ids: [exp], filter: 'metrics.acc >= 0.1', order_by: ['metrics.acc DESC'], max_results: 2, page_token: first.json.next_page_token });
    expect(second.json.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([ids[2], ids[1]]);
    expect(second.json.next_page_token).toBeUndefined();
    const viaGet = await h.call('GET', `${API}/runs/search`, { experiment_ids: exp, filter: "params.i = '0'" });
    expect(viaGet.json.runs).toHaveLength(1);
    const bad = await h.call('POST', `${API}/runs/search`, { experiment_ids: [exp], filter: 'metrics.acc 0.5' });
    expect(bad).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(bad.json.message).toContain('Invalid filter');

    for (let s = 0; s < 7; s++) await h.call('POST', `${API}/runs/log-metric`, { run_id: ids[0], key: 'curve', value: s, timestamp: s, step: s });
    const p1 = await h.call('GET', `${API}/metrics/get-history`, { run_id: ids[0], metric_key: 'curve', max_results: 4 });
    expect(p1.json.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2, 3]);
    const p2 = await h.call('GET', `${API}/metrics/get-history`, { run_id: ids[0], metric_key: 'curve', max_results: 4, page_token: p1.json.next_page_token });
    expect(p2.json.metrics.map((m: { step: number }) => m.step)).toEqual([4, 5, 6]);
  });

  it("answers bad input with MLflow's error shape and codes, and stays up", async () => {
    const h = await serve({ bodyLimit: 1024 });
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'bad' })).json.experiment_id;
    const id = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id;
    expect(await h.call('POST', `${API}/runs/log-metric`, '{"run_id": ')).toMatchObject({ status: 400, json: { error_code: 'BAD_REQUEST' } });
    expect(await h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'm', value: 1, timestamp: 'soon' })).toMatchObject({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Invalid value soon for parameter 'timestamp' supplied") },
    });
    expect(await h.call('POST', `${API}/runs/log-metric`, { run_id: id, value: 1, timestamp: 1 })).toMatchObject({ status: 400, json: { message: expect.stringContaining("Missing value for required parameter 'key'") } });
    expect(await h.call('POST', `${API}/runs/log-parameter`, { run_id: 'refs/../../HEAD', key: 'k', value: 'v' })).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await h.call('GET', `${API}/runs/get`, { run_id: 'f'.repeat(32) })).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await h.call('GET', `${API}/experiments/get`, { experiment_id: '424242' })).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const big = await h.call('POST', `${API}/runs/set-tag`, { run_id: id, key: 'big', value: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(big.json.error_code).toBeDefined();
    expect(await h.call('POST', `${API}/runs/log-batch`, { run_id: id, metrics: Array.from({ length: 2 }, () => ({ key: 'm', value: 1 })) })).toMatchObject({ status: 400 });
    expect(await h.call('GET', '/api/2.0/mlflow/nope')).toMatchObject({ status: 404, json: { error_code: 'ENDPOINT_NOT_FOUND' } });
    await h.call('POST', `${API}/runs/log-parameter`, { run_id: id, key: 'p', value: 'a' });
    expect(await h.call('POST', `${API}/runs/log-parameter`, { run_id: id, key: 'p', value: 'b' })).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    await h.call('POST', `${API}/runs/delete`, { run_id: id });
    expect(await h.call('POST', `${API}/runs/set-tag`, { run_id: id, key: 'k', value: 'v' })).toMatchObject({ status: 400, json: { message: expect.stringContaining("must be in the 'active' state") } });
    const run = (await h.call('GET', `${API}/runs/get`, { run_id: id })).json.run;
    expect(run.data.params).toEqual([{ key: 'p', value: 'a' }]);
    expect(run.data.tags.map((t: { key: string }) => t.key)).not.toContain('big');
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${h.url}/`)).text()).toContain('<div id="app">'); // the web UI (docs/ui.md)
  });
  it('sees a run deleted and restored by another process at once: writes are refused, then accepted again', async () => {
    const h = await serve();
    const id = (await h.call('POST', `${API}/runs/create`, { experiment_id: '0' })).json.run.info.run_id;
    const log = (step: number) => h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'loss', value: step / 10, timestamp: 1000 + step, step });
    expect((await log(0)).status).toBe(200);
    // the server folds, so its check reads the stage from the record, then from another process's journal
    h.server.client.flush();
    expect((await log(1)).status).toBe(200);
    const other = new MlClient({ repo: h.repo });
    other.deleteRun(id);
    expect(await log(2)).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Current state is deleted") } });
    other.flush();
    expect((await log(3)).status).toBe(400);
    other.restoreRun(id);
    expect((await log(4)).status).toBe(200);
    other.close();
    expect(await h.call('POST', `${API}/runs/log-metric`, { run_id: 'f'.repeat(32), key: 'loss', value: 1, timestamp: 1 })).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    h.server.client.flush();
    // C git reads the points that were accepted, and only those
    const ref = git(h.repo, 'for-each-ref', '--format=%(refname)', `refs/ml/runs/*/${id}`).trim();
    expect(metricLinesViaGit(h.repo, ref, 'loss').map((l) => l.split(' ')[2])).toEqual(['0', '1', '4']);
  });
});
