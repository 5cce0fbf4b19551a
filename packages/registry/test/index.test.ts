/**
 * The registry's derived index must agree with the refs after any outside change: another process,
 * `git pack-refs`, the user's own `git tag`, a deleted cache.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open, runWithModel } from './helpers.js';
import { git, makeRepo } from '@git-ml/test-support';

describe('registry index', () => {
  it('sees versions and aliases written by another client, after pack-refs, and after the cache is deleted', async () => {
    const repo = makeRepo();
    const A = open(repo);
    const B = open(repo);
    const runId = await runWithModel(A.ml);
    A.reg.createModelVersion('m', `runs:/${runId}/model`);
    expect(B.reg.getRegisteredModel('m').latest_versions[0].version).toBe('1');
    A.reg.createModelVersion('m', `runs:/${runId}/model`);
    A.reg.setRegisteredModelAlias('m', 'prod', 2);
    expect(B.reg.getModelVersionByAlias('m', 'prod').version).toBe('2');
    git(repo, 'pack-refs', '--all');
    expect(git(repo, 'for-each-ref', 'refs/tags')).toContain('refs/tags/m@v2');
    A.reg.setRegisteredModelAlias('m', 'prod', 1);
    expect(B.reg.getModelVersionByAlias('m', 'prod').version).toBe('1');
    expect(B.reg.searchModelVersions({ filter: "name = 'm'" }).model_versions.map((v) => v.version)).toEqual(['2', '1']);
    // a fresh client whose first query loads the summary, then asks for one model
    await new Promise((r) => setTimeout(r, 80));
    const D = open(repo);
    D.reg.searchRegisteredModels();
    const E = open(repo);
    expect(E.reg.searchRegisteredModels().registered_models.map((m) => m.name)).toEqual(['m']);
    expect(E.reg.searchModelVersions().model_versions.map((v) => v.version)).toEqual(['2', '1']);
    rmSync(join(repo, '.git', 'ml', 'index'), { recursive: true, force: true });
    const C = open(repo);
    expect(C.reg.getRegisteredModel('m')).toEqual(B.reg.getRegisteredModel('m'));
  });

  it("ignores the user's own tags, even ones that look like versions", async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    git(repo, 'tag', 'release@v1');
    git(repo, 'tag', '-a', '-m', 'not yaml', 'other@v2');
    git(repo, 'tag', 'v1.0');
    expect(reg.searchRegisteredModels().registered_models).toEqual([]);
    const runId = await runWithModel(ml);
    reg.createModelVersion('real', `runs:/${runId}/model`);
    expect(reg.searchRegisteredModels().registered_models.map((m) => m.name)).toEqual(['real']);
    expect(() => reg.getRegisteredModel('release')).toThrow(/not found/);
  });

  it('notices a version tag deleted with plain git', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    reg.createModelVersion('d', `runs:/${runId}/model`);
    reg.createModelVersion('d', `runs:/${runId}/model`);
    expect(reg.getRegisteredModel('d').latest_versions[0].version).toBe('2');
    git(repo, 'tag', '-d', 'd@v2');
    expect(reg.getRegisteredModel('d').latest_versions[0].version).toBe('1');
  });
});
