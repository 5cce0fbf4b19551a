import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open, runWithModel } from './helpers.js';
import { caught, fsckStrict, git, makeRepo, tempDir } from '@git-ml/test-support';

describe('model versions as annotated tags', () => {
  it('registers versions 1, 2, 3 as tags real git reads, on the run commit that holds the model', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    const v1 = reg.createModelVersion('iris', `runs:/${runId}/model`, undefined, { description: 'first', tags: { team: 'cv' } });
    expect(v1).toMatchObject({ name: 'iris', version: '1', run_id: runId, source: `runs:/${runId}/model`, description: 'first', status: 'READY' });
    expect(v1.tags).toEqual([{ key: 'team', value: 'cv' }]);
    expect(reg.createModelVersion('iris', `runs:/${runId}/model`).version).toBe('2');
    expect(reg.createModelVersion('iris', 'model', runId).version).toBe('3');

    expect(git(repo, 'tag', '-l').split('\n')).toEqual(['iris@v1', 'iris@v2', 'iris@v3']);
    expect(git(repo, 'cat-file', '-t', 'iris@v1')).toBe('tag');
    expect(git(repo, 'show', 'iris@v1:artifacts/model/model.bin')).toBe('weights-1');
    const shown = git(repo, 'cat-file', 'tag', 'iris@v1');
    expect(shown).toContain('schema: git-ml/model-version/1');
    expect(shown).toContain(`run_id: ${runId}`);
    expect(shown).toContain('artifact_path: model');
    fsckStrict(repo);

    const m = reg.getRegisteredModel('iris');
    expect(m.latest_versions.map((v) => v.version)).toEqual(['3']);
    expect(reg.searchModelVersions({ filter: `run_id = '${runId}'` }).model_versions.map((v) => v.version)).toEqual(['3', '2', '1']);
  });

  it('encodes names that cannot stand in a ref, reversibly', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    const name = 'My Model / ü .. @{x}';
    reg.createModelVersion(name, `runs:/${runId}/model`);
    const tag = git(repo, 'tag', '-l');
    expect(tag).toMatch(/@v1$/);
    git(repo, 'check-ref-format', `refs/tags/${tag}`);
    expect(reg.getRegisteredModel(name).name).toBe(name);
    expect(reg.resolve(`models:/${name}/1`).run_id).toBe(runId);
    expect(reg.searchRegisteredModels({ filter: "name LIKE 'My Model%'" }).registered_models.map((m) => m.name)).toEqual([name]);
  });

  it('refuses sources the run does not have, unknown runs and unknown models with clear errors', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    expect(caught(() => reg.createModelVersion('m', `runs:/${runId}/nope`)).message).toMatch(/has no artifact 'nope'/);
    expect(caught(() => reg.createModelVersion('m', `runs:/${'0'.repeat(32)}/model`)).message).toMatch(/not found/);
    expect(caught(() => reg.createModelVersion('m', 'model')).message).toMatch(/give the run/);
    expect(caught(() => reg.getRegisteredModel('ghost')).message).toMatch(/'ghost' not found/);
    reg.createModelVersion('m', `runs:/${runId}/model`);
    expect(caught(() => reg.getModelVersion('m', 7)).message).toMatch(/version 7 of 'm' does not exist \(versions: 1\)/);
    expect(caught(() => reg.getModelVersion('m', 'x')).message).toMatch(/positive integer/);
    expect(caught(() => reg.resolve('models:/m')).message).toMatch(/Invalid model URI/);
    expect(git(repo, 'tag', '-l')).toBe('m@v1');
  });
});

describe('registered models', () => {
  it('creates, updates, tags, searches, renames and deletes', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    reg.createRegisteredModel('alpha', { description: 'a', tags: { owner: 'ann' } });
    expect(caught(() => reg.createRegisteredModel('alpha')).code).toBe('RESOURCE_ALREADY_EXISTS');
    reg.createRegisteredModel('beta');
    reg.updateRegisteredModel('beta', { description: 'b2' });
    reg.setRegisteredModelTag('beta', 'k', 'v');
    expect(reg.getRegisteredModel('beta')).toMatchObject({ description: 'b2', tags: [{ key: 'k', value: 'v' }], latest_versions: [] });
    reg.deleteRegisteredModelTag('beta', 'k');
    expect(reg.getRegisteredModel('beta').tags).toEqual([]);
    expect(reg.searchRegisteredModels().registered_models.map((m) => m.name)).toEqual(['alpha', 'beta']);
    expect(reg.searchRegisteredModels({ filter: "name ILIKE 'ALP%'" }).registered_models.map((m) => m.name)).toEqual(['alpha']);
    const page1 = reg.searchRegisteredModels({ maxResults: 1, orderBy: ['name DESC'] });
    expect(page1.registered_models.map((m) => m.name)).toEqual(['beta']);
    expect(reg.searchRegisteredModels({ maxResults: 1, orderBy: ['name DESC'], pageToken: page1.nextPageToken }).registered_models.map((m) => m.name)).toEqual(['alpha']);
    expect(caught(() => reg.searchRegisteredModels({ filter: 'name > 3' })).message).toMatch(/Invalid filter/);

    reg.createModelVersion('alpha', `runs:/${runId}/model`);
    reg.setRegisteredModelAlias('alpha', 'prod', 1);
    const renamed = reg.renameRegisteredModel('alpha', 'gamma');
    expect(renamed).toMatchObject({ name: 'gamma', description: 'a', aliases: [{ alias: 'prod', version: '1' }] });
    expect(reg.getModelVersion('gamma', 1).run_id).toBe(runId);
    expect(caught(() => reg.getRegisteredModel('alpha')).message).toMatch(/renamed to 'gamma'/);
    expect(git(repo, 'tag', '-l').split('\n')).toEqual(['alpha@v1', 'gamma@v1']);

    reg.deleteModelVersion('gamma', 1);
    expect(caught(() => reg.getModelVersion('gamma', 1)).message).toMatch(/was deleted/);
    expect(reg.getRegisteredModel('gamma').aliases).toEqual([]);
    reg.deleteRegisteredModel('gamma');
    expect(caught(() => reg.getRegisteredModel('gamma')).message).toMatch(/deleted/);
    // deleted, not erased: the tag and the record's history stay in git
    expect(git(repo, 'tag', '-l')).toContain('gamma@v1');
    expect(git(repo, 'log', '--format=%s', 'refs/ml/registry/gamma')).toContain('delete registered model gamma');
    fsckStrict(repo);
  });
});

describe('deletion', () => {
  it('a deleted and re-created model starts without the old versions, numbering goes on', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    reg.createModelVersion('again', `runs:/${runId}/model`);
    reg.createModelVersion('again', `runs:/${runId}/model`);
    reg.deleteRegisteredModel('again');
    reg.createRegisteredModel('again');
    expect(reg.getRegisteredModel('again').latest_versions).toEqual([]);
    expect(caught(() => reg.getModelVersion('again', 1)).message).toMatch(/was deleted/);
    expect(reg.createModelVersion('again', `runs:/${runId}/model`).version).toBe('3');
    expect(reg.searchModelVersions({ filter: "name = 'again'" }).model_versions.map((v) => v.version)).toEqual(['3']);
  });
});

describe('aliases', () => {
  it('follows MLflow rules, moves several at once and records every move', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    for (let i = 0; i < 3; i++) reg.createModelVersion('clf', `runs:/${runId}/model`);
    for (const bad of ['latest', 'v3', 'V12', 'a b', 'x'.repeat(256), '']) {
      expect(caught(() => reg.setRegisteredModelAlias('clf', bad, 1)).code).toBe('INVALID_PARAMETER_VALUE');
    }
    expect(caught(() => reg.setRegisteredModelAlias('clf', 'champion', 9)).message).toMatch(/does not exist/);
    reg.setRegisteredModelAlias('clf', 'champion', 1);
    reg.setRegisteredModelAliases('clf', { champion: 3, challenger: 2 });
    expect(reg.getModelVersionByAlias('clf', 'champion').version).toBe('3');
    expect(reg.getModelVersionByAlias('clf', 'challenger').aliases).toEqual(['challenger']);
    expect(reg.resolve('models:/clf@champion')).toMatchObject({ version: '3', run_id: runId, artifact_path: 'model' });
    expect(reg.resolve('models:/clf/latest').version).toBe('3');
    reg.deleteRegisteredModelAlias('clf', 'challenger');
    expect(caught(() => reg.getModelVersionByAlias('clf', 'challenger')).message).toMatch(/no alias 'challenger' \(it has: champion\)/);

    const h = reg.history('clf');
    expect(h.map((e) => [e.action, e.alias ?? '', e.version ?? ''])).toEqual([
      ['create', '', ''],
      ['register', '', '1'],
      ['register', '', '2'],
      ['register', '', '3'],
      ['set_alias', 'champion', '1'],
      ['set_alias', 'champion', '3'],
      ['set_alias', 'challenger', '2'],
      ['delete_alias', 'challenger', ''],
    ]);
    expect(h.every((e) => e.user && e.timestamp > 0)).toBe(true);
    // the two aliases moved in one commit
    const subjects = git(repo, 'log', '--format=%s', 'refs/ml/registry/clf').split('\n');
    expect(subjects).toContain('git-ml: point champion → v3, challenger → v2 of clf');
  });

  it('downloads the exact files of a version even after the run changes', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml, 'weights-A');
    reg.createModelVersion('dl', `runs:/${runId}/model`);
    const dir = tempDir('later-');
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'model.bin'), 'weights-B');
    await ml.logArtifacts(runId, join(dir, 'model'), 'model');
    const dest = tempDir('dl-');
    const out = await reg.downloadArtifacts('models:/dl/1', dest);
    expect(readFileSync(join(out, 'model.bin'), 'utf8')).toBe('weights-A');
    expect(existsSync(join(out, 'MLmodel'))).toBe(true);
  });
});

describe('sources that do not name a file of the run (anySource, as a tracking server registers them)', () => {
  it('tags the run commit with an empty artifact path and keeps the source string; without a run id it still refuses', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    const v = reg.createModelVersion('m', 's3://bucket/models/elsewhere', runId, { anySource: true });
    expect(v).toMatchObject({ version: '1', run_id: runId, source: 's3://bucket/models/elsewhere' });
    expect(reg.resolve('models:/m/1')).toMatchObject({ run_id: runId, artifact_path: '' });
    expect(git(repo, 'cat-file', '-t', 'm@v1')).toBe('tag');
    const located = reg.createModelVersion('m', `runs:/${runId}/model`, runId, { anySource: true });
    expect(reg.resolve(`models:/m/${located.version}`).artifact_path).toBe('model');
    expect(caught(() => reg.createModelVersion('m', 's3://bucket/x', undefined, { anySource: true })).code).toBe('INVALID_PARAMETER_VALUE');
    expect(caught(() => reg.createModelVersion('m', 's3://bucket/x', runId)).code).toBeDefined();
  });
});
