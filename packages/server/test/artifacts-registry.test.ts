import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { git, serve, tempDir } from './helpers.js';

const API = '/api/2.0/mlflow';
const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

/** A request with the path sent byte for byte (fetch would resolve `%2e%2e` segments first). */
function rawRequest(url: string, method: string, path: string, body = ''): Promise<{ status: number; json: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('artifact proxy over real HTTP', () => {
  it('streams an upload into the run tree and back, lists it, and git sees the same bytes', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'art' })).json.experiment_id;
    const run = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run;
    const root = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
    // 24 MiB sent as a chunked stream, so the server never gets a content-length to buffer by
    const chunk = randomBytes(1 << 20);
    const hash = createHash('sha1');
    const body = Readable.from((function* () {
      for (let i = 0; i < 24; i++) {
        hash.update(chunk);
        yield chunk;
      }
    })());
    const put = await fetch(`${h.url}${PROXY}/${root}/model/weights.bin`, { method: 'PUT', body: Readable.toWeb(body) as ReadableStream, duplex: 'half' } as RequestInit);
    expect(put.status).toBe(200);
    await put.text();
    const sent = hash.digest('hex');
    await (await fetch(`${h.url}${PROXY}/${root}/model/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' })).text();

    const list = await h.call('GET', PROXY, { path: `${root}/model` });
    expect(list.json.files).toEqual(expect.arrayContaining([{ path: 'weights.bin', is_dir: false, file_size: 24 << 20 }, { path: 'MLmodel', is_dir: false, file_size: 12 }]));
    const tracked = await h.call('GET', `${API}/artifacts/list`, { run_id: run.info.run_id });
    expect(tracked.json).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: 'model', is_dir: true }] });

    const got = await fetch(`${h.url}${PROXY}/${root}/model/weights.bin`);
    expect(got.status).toBe(200);
    expect(createHash('sha1').update(Buffer.from(await got.arrayBuffer())).digest('hex')).toBe(sent);
    const ref = `refs/ml/runs/${exp}/${run.info.run_id}`;
    expect(git(h.repo, 'cat-file', '-s', `${ref}:artifacts/model/weights.bin`)).toBe(String(24 << 20));
  });

  it('refuses paths that could leave the run: .., encoded .., encoded slashes, absolute, NUL', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'safe' })).json.experiment_id;
    const run = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run;
    const root = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
    for (const bad of [`${root}/../../x`, `${root}/%2e%2e/%2e%2e/x`, `${root}/a%2F..%2F..%2Fx`, `${root}/%00x`, `${root}/..%5c..%5cx`]) {
      for (const method of ['PUT', 'GET']) {
        const res = await rawRequest(h.url, method, `${PROXY}/${bad}`, method === 'PUT' ? 'x' : '');
        expect(res, `${method} ${bad}`).toEqual({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' } });
      }
    }
    for (const path of ['../x', '/etc/passwd', 'a/../../x', '%2e%2e/x']) {
      expect((await h.call('GET', `${API}/artifacts/list`, { run_id: run.info.run_id, path })).json, path).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    }
    for (const path of ['../x', 'a/../../x', '%2e%2e/x']) expect((await h.call('GET', PROXY, { path: `${root}/${path}` })).status, path).toBe(400);
    expect((await rawRequest(h.url, 'PUT', `${PROXY}/${exp}/..%2F..%2Frefs/artifacts/x`, 'x')).status).toBe(400);
    // the UI's upload endpoint: 10 MB at most, also when sent chunked without a length
    const tooBig = Readable.from((function* () {
      for (let i = 0; i < 11; i++) yield Buffer.alloc(1 << 20);
    })());
    const ui = await fetch(`${h.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${run.info.run_id}&path=big.bin`, { method: 'POST', body: Readable.toWeb(tooBig) as ReadableStream, duplex: 'half' } as RequestInit);
    expect(ui.status).toBe(400);
    expect((await ui.json()).message).toContain('Max size is 10MB');
    expect((await h.call('GET', `${API}/artifacts/list`, { run_id: run.info.run_id })).json.files).toEqual([]);
    expect((await rawRequest(h.url, 'PUT', `${PROXY}/${exp}/not-a-run/artifacts/x`, 'x')).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    // folds come within about a second: wait for the run's ref, then no other ref may be there
    for (let i = 0; i < 50 && !git(h.repo, 'for-each-ref', `refs/ml/runs/${exp}/`); i++) await new Promise((r) => setTimeout(r, 100));
    expect(git(h.repo, 'for-each-ref', '--format=%(refname)', `refs/ml/runs/${exp}/`)).toBe(`refs/ml/runs/${exp}/${run.info.run_id}`);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('with --default-artifact-root hands out file: locations and commits what clients wrote there when the run ends', async () => {
    const rootDir = tempDir('artifact-root-');
    const h = await serve({ defaultArtifactRoot: `file://${rootDir}` });
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'local' })).json.experiment_id;
    const run = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run;
    expect(run.info.artifact_uri).toBe(`file://${rootDir}/${exp}/${run.info.run_id}/artifacts`);
    const dir = join(rootDir, exp, run.info.run_id, 'artifacts');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'written by the client');
    await h.call('POST', `${API}/runs/update`, { run_id: run.info.run_id, status: 'FINISHED' });
    // a run that ended is folded within about 100 ms
    const committed = () => git(h.repo, 'ls-tree', '--name-only', `refs/ml/runs/${exp}/${run.info.run_id}`, 'artifacts/notes.txt').trim() !== '';
    for (let i = 0; i < 50 && !(git(h.repo, 'for-each-ref', `refs/ml/runs/${exp}/`) && committed()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(git(h.repo, 'show', `refs/ml/runs/${exp}/${run.info.run_id}:artifacts/notes.txt`)).toBe('written by the client');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('written by the client');
  });
});

describe('registry endpoints over real HTTP', () => {
  it('registers a version as a git tag, moves an alias, resolves it and hands out a download URI', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'reg' })).json.experiment_id;
    const run = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run;
    const root = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
    await (await fetch(`${h.url}${PROXY}/${root}/model/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' })).text();
    expect((await h.call('POST', `${API}/registered-models/create`, { name: 'churn model', description: 'd' })).json.registered_model).toMatchObject({ name: 'churn model', description: 'd' });
    const v = (await h.call('POST', `${API}/model-versions/create`, { name: 'churn model', source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id })).json.model_version;
    expect(v).toMatchObject({ name: 'churn model', version: '1', run_id: run.info.run_id, current_stage: 'None' });
    expect(git(h.repo, 'tag', '-l')).toContain('churn%20model@v1');
    expect((await h.call('POST', `${API}/registered-models/alias`, { name: 'churn model', alias: 'champion', version: '1' })).status).toBe(200);
    const byAlias = await h.call('GET', `${API}/registered-models/alias`, { name: 'churn model', alias: 'champion' });
    expect(byAlias.json.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    const uri = await h.call('GET', `${API}/model-versions/get-download-uri`, { name: 'churn model', version: '1' });
    expect(uri.json.artifact_uri).toBe(`${run.info.artifact_uri}/model`);
    const staged = await h.call('POST', `${API}/model-versions/transition-stage`, { name: 'churn model', version: '1', stage: 'production', archive_existing_versions: false });
    expect(staged.json.model_version.current_stage).toBe('Production');
    const latest = await h.call('POST', `${API}/registered-models/get-latest-versions`, { name: 'churn model', stages: ['Production'] });
    expect(latest.json.model_versions.map((x: { version: string }) => x.version)).toEqual(['1']);
    const search = await h.call('GET', `${API}/model-versions/search`, { filter: `run_id = '${run.info.run_id}'` });
    expect(search.json.model_versions).toHaveLength(1);
    expect(await h.call('GET', `${API}/registered-models/get`, { name: 'nope' })).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await h.call('POST', `${API}/model-versions/create`, { name: 'churn model', source: 'http://host/a/../../../etc', run_id: run.info.run_id })).toMatchObject({ status: 400 });
    await h.call('DELETE', `${API}/registered-models/alias`, { name: 'churn model', alias: 'champion' });
    expect((await h.call('GET', `${API}/registered-models/get`, { name: 'churn model' })).json.registered_model.aliases).toEqual([]);
  });
});
