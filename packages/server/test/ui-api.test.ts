/** git-ml's read endpoints for the web UI, over real HTTP on a real repository. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MlClient } from '@git-ml/tracking';
import { describeMlmodel, thin } from '../src/routes/ui-api.js';
import { serve } from './helpers.js';

const G = '/ajax-api/2.0/git-ml';

describe('git-ml UI endpoints', () => {
  it('answers windows of a run search with the total, grouped or flat, and bad input clearly', async () => {
    const h = await serve();
    const client = new MlClient({ repo: h.repo });
    const exp = client.createExperiment('e');
    const parent = client.createRun(exp, { runName: 'parent', ownedByProcess: false });
    for (let i = 0; i < 25; i++) {
      const r = client.createRun(exp, { runName: `c${String(i).padStart(2, '0')}`, tags: { 'mlflow.parentRunId': parent.info.run_id }, ownedByProcess: false });
      client.logMetric(r.info.run_id, 'acc', i);
    }
    client.flush();
    client.close();
    const flat = await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, order_by: 'metrics.acc DESC', offset: '5', limit: '10' });
    expect(flat.status).toBe(200);
    expect(flat.json.total).toBe(26);
    expect(flat.json.runs.map((r: any) => r.info.run_name)).toEqual(['c19', 'c18', 'c17', 'c16', 'c15', 'c14', 'c13', 'c12', 'c11', 'c10']);
    const top = await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, group_nested: 'true' });
    expect(top.json.total).toBe(1);
    expect(top.json.child_counts).toEqual({ [parent.info.run_id]: 25 });
    // a child that matches when its parent does not is shown at the top level
    const orphans = await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, group_nested: 'true', filter: 'metrics.acc >= 23' });
    expect(orphans.json.runs.map((r: any) => r.info.run_name).sort()).toEqual(['c23', 'c24']);
    const kids = await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, parent_run_id: parent.info.run_id, limit: '100' });
    expect(kids.json.total).toBe(25);

    const bad = await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, filter: "params.x = 'a' AND AND" });
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(bad.json.details.position).toBe(19);
    expect((await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, limit: '5001' })).json.message).toContain('at most 5000');
    expect((await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, offset: '-1' })).json.message).toContain("Invalid offset '-1'");
    expect((await h.call('GET', `${G}/runs/window`, {})).status).toBe(400);
    expect((await h.call('GET', `${G}/runs/window`, { experiment_ids: exp, statuses: 'DONE' })).json.message).toContain("Invalid status 'DONE'");

    const keys = await h.call('GET', `${G}/runs/keys`, { experiment_ids: exp });
    expect(keys.json).toEqual({ params: [], metrics: ['acc'], tags: expect.arrayContaining(['mlflow.parentRunId', 'mlflow.runName']) });
    const sum = await h.call('GET', `${G}/experiments/summary`);
    expect(sum.json.experiments.find((e: any) => e.experiment_id === exp)).toMatchObject({ name: 'e', run_count: 26, running_count: 26 });
  });

  it('sends a metric history as columns, thinned for display with min and max over every point', async () => {
    const h = await serve();
    const client = new MlClient({ repo: h.repo });
    const run = client.createRun('0', { ownedByProcess: false });
    const metrics = Array.from({ length: 5000 }, (_, s) => ({ key: 'loss', value: s === 4321 ? 99 : Math.sin(s / 100), step: s, timestamp: 1000 + s }));
    for (let i = 0; i < metrics.length; i += 1000) client.logBatch(run.info.run_id, { metrics: metrics.slice(i, i + 1000) });
    client.logMetric(run.info.run_id, 'nan', Number.NaN);
    client.flush();
    client.close();
    const full = await h.call('GET', `${G}/metrics/series`, { run_id: run.info.run_id, metric_key: 'loss' });
    expect(full.json.step.length).toBe(5000);
    expect(full.json.count).toBe(5000);
    const thinned = await h.call('GET', `${G}/metrics/series`, { run_id: run.info.run_id, metric_key: 'loss', max_points: '200' });
    expect(thinned.json.value.length).toBeLessThanOrEqual(200);
    expect(thinned.json.max).toBe(99);
    expect(thinned.json.value).toContain(99); // the spike survives thinning
    const nan = await h.call('GET', `${G}/metrics/series`, { run_id: run.info.run_id, metric_key: 'nan' });
    expect(nan.json.value).toEqual(['NaN']);
    expect((await h.call('GET', `${G}/metrics/series`, { run_id: 'nope', metric_key: 'loss' })).status).toBe(404);
    // the binary form the UI reads: [n, count, min, max, steps, timestamps, values] as float64
    const bin = new Float64Array(await (await fetch(`${h.url}${G}/metrics/series?run_id=${run.info.run_id}&metric_key=loss&format=f64`)).arrayBuffer());
    expect([...bin.subarray(0, 4)]).toEqual([5000, 5000, Math.min(...metrics.map((m) => m.value)), 99]);
    expect(bin[4 + 4321]).toBe(4321);
    expect(bin[4 + 10000 + 4321]).toBe(99);
    // offset: only the points from that index on, with the whole history's count, min and max
    const tail = new Float64Array(await (await fetch(`${h.url}${G}/metrics/series?run_id=${run.info.run_id}&metric_key=loss&format=f64&offset=4990`)).arrayBuffer());
    expect([...tail.subarray(0, 4)]).toEqual([10, 5000, Math.min(...metrics.map((m) => m.value)), 99]);
    expect([...tail.subarray(4, 14)]).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999]);
    const past = new Float64Array(await (await fetch(`${h.url}${G}/metrics/series?run_id=${run.info.run_id}&metric_key=loss&format=f64&offset=9999`)).arrayBuffer());
    expect(past[0]).toBe(0);
    const nanBin = new Float64Array(await (await fetch(`${h.url}${G}/metrics/series?run_id=${run.info.run_id}&metric_key=nan&format=f64`)).arrayBuffer());
    expect(nanBin[0]).toBe(1);
    expect(Number.isNaN(nanBin[6])).toBe(true);
  });

  it('shows images inline only when asked, sandboxed; every other file stays an attachment', async () => {
    const h = await serve();
    const client = new MlClient({ repo: h.repo });
    const run = client.createRun('0', { ownedByProcess: false });
    client.logText(run.info.run_id, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'x.svg');
    client.logText(run.info.run_id, '<html><script>alert(1)</script></html>', 'x.html');
    client.flush();
    client.close();
    const get = (path: string, inline: boolean) => fetch(`${h.url}/get-artifact?path=${path}&run_uuid=${run.info.run_id}${inline ? '&inline=1' : ''}`);
    const svg = await get('x.svg', true);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-security-policy')).toContain('sandbox');
    await svg.text();
    expect((await get('x.svg', false)).headers.get('content-disposition')).toMatch(/^attachment/);
    const html = await get('x.html', true);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment/);
    await html.text();
  });

  it('serves the built UI at / with cacheable assets', async () => {
    const h = await serve();
    const index = await fetch(`${h.url}/`);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(await index.text())![1];
    const js = await fetch(`${h.url}/${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await js.text()).length).toBeGreaterThan(10_000);
  });
});

describe('runs/source', () => {
  it('never passes a tag value that is not an object id to git (a client sets those tags)', async () => {
    const h = await serve();
    const client = new MlClient({ repo: h.repo });
    const run = client.createRun('0', { ownedByProcess: false, tags: { 'mlflow.source.git.commit': '--output=/tmp/git-ml-pwned', 'git-ml.source.head': 'HEAD' } });
    client.flush();
    client.close();
    const r = await h.call('GET', `${G}/runs/source`, { run_id: run.info.run_id });
    expect(r.status).toBe(200);
    expect(r.json.commit).toBe('--output=/tmp/git-ml-pwned');
    expect(r.json.diff).toBeUndefined();
    expect(existsSync('/tmp/git-ml-pwned')).toBe(false);
  });
});

describe('thin', () => {
  it('keeps the first, lowest, highest and last point of each bucket, in order', () => {
    const v = [5, 1, 9, 3, 4, 8, 0, 7];
    const idx = thin(v.length, 8, (i) => v[i]);
    expect(idx).toEqual([0, 1, 2, 3, 4, 5, 6, 7].filter((i) => idx.includes(i)));
    expect(idx).toContain(2); // the max
    expect(idx).toContain(6); // the min
    expect(thin(0, 10, () => 0)).toEqual([]);
  });
});

describe('browser safety of a loopback server', () => {
  it('answers only loopback Host names, and refuses writes from another origin', async () => {
    const h = await serve();
    const { request } = await import('node:http');
    const raw = (method: string, path: string, headers: Record<string, string>, body = '') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const u = new URL(h.url);
        const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const rebound = await raw('GET', '/ajax-api/2.0/git-ml/experiments/summary', { host: 'attacker.example:5000' });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error_code).toBe('PERMISSION_DENIED');
    expect((await raw('GET', '/health', { host: `localhost:${new URL(h.url).port}` })).status).toBe(200);
    expect((await raw('GET', '/health', { host: `[::1]:${new URL(h.url).port}` })).status).toBe(200);
    const csrf = await raw('POST', '/api/2.0/mlflow/experiments/create', { host: new URL(h.url).host, origin: 'https://evil.example', 'content-type': 'text/plain' }, '{"name":"csrf"}');
    expect(csrf.status).toBe(403);
    expect(JSON.parse(csrf.body).message).toContain('Cross-origin POST from https://evil.example refused');
    const same = await raw('POST', '/api/2.0/mlflow/experiments/create', { host: new URL(h.url).host, origin: h.url, 'content-type': 'application/json' }, '{"name":"same-origin"}');
    expect(same.status).toBe(200);
    // clients that are not browsers send no Origin
    expect((await h.call('POST', '/api/2.0/mlflow/experiments/create', { name: 'python' })).status).toBe(200);
    const names = (await h.call('GET', '/api/2.0/mlflow/experiments/search', { max_results: '100' })).json.experiments.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['same-origin', 'python']));
    expect(names).not.toContain('csrf');
  });
});

describe('describeMlmodel', () => {
  it('reads a signature as PyYAML wraps it, tensor specs included, and says when the file is not YAML', () => {
    const text = `flavors:\n  python_function: {}\n  sklearn: {}\nsignature:\n  inputs: '[{"type": "double", "name": "a", "required": true}, {"type": "double",\n    "name": "b", "required": false}]'\n  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 2]}}]'\n`;
    expect(describeMlmodel(text)).toEqual({
      flavors: ['python_function', 'sklearn'],
      signature: { inputs: [{ name: 'a', type: 'double', required: true }, { name: 'b', type: 'double', required: false }], outputs: [{ type: 'tensor', spec: 'float64[-1, 2]' }] },
    });
    expect(describeMlmodel('flavors: {}\n').signature).toBeNull();
    expect(describeMlmodel('a: [\n').error).toMatch(/^MLmodel is not valid YAML/);
  });
});
