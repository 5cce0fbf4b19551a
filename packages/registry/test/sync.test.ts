/**
 * The registry travels with `push`/`pull`: version tags and model records reach a bare remote and
 * fresh clones, and two clones racing for the same version number or alias both keep their work.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open, runWithModel } from './helpers.js';
import { pullRegistry, pushRegistry, RegistryClient } from '@git-ml/registry';
import { pull, push, type MlClient } from '@git-ml/tracking';
import { bareRemote, fsckStrict, git, gitBuf, hasGitLfs, lfsObjects, LFS_SIZED, makeRepo, randomFile, tempDir, useLfs } from '@git-ml/test-support';

function bareRepo(): string {
  const dir = tempDir('gitml-bare-');
  git(dir, 'init', '-q', '--bare');
  return dir;
}

function cloneOf(bare: string, who: string): string {
  const dir = join(tempDir('gitml-clone-'), 'work');
  git(tempDir(), 'clone', '-q', bare, dir);
  git(dir, 'config', 'user.name', who);
  git(dir, 'config', 'user.email', `${who}@example.com`);
  return dir;
}

function sync(reg: RegistryClient, ml: MlClient, dir: 'push' | 'pull') {
  if (dir === 'push') {
    push(ml);
    return pushRegistry(reg);
  }
  pull(ml);
  return pullRegistry(reg);
}

describe('registry push and pull', () => {
  it('a fresh clone reads the same registry after pull', async () => {
    const bare = bareRepo();
    const a = makeRepo();
    git(a, 'remote', 'add', 'origin', bare);
    git(a, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    const A = open(a);
    const runId = await runWithModel(A.ml, 'w1');
    A.reg.createModelVersion('iris', `runs:/${runId}/model`, undefined, { description: 'first' });
    A.reg.createModelVersion('iris', `runs:/${runId}/model`);
    A.reg.setRegisteredModelAliases('iris', { champion: 2, challenger: 1 });
    const pushed = sync(A.reg, A.ml, 'push');
    expect(pushed.rejected).toEqual([]);
    expect(git(bare, 'tag', '-l').split('\n')).toEqual(['iris@v1', 'iris@v2']);
    expect(git(bare, 'cat-file', '-t', 'iris@v1')).toBe('tag');

    const b = cloneOf(bare, 'bob');
    const B = open(b);
    sync(B.reg, B.ml, 'pull');
    expect(B.reg.getRegisteredModel('iris')).toEqual(A.reg.getRegisteredModel('iris'));
    expect(B.reg.history('iris')).toEqual(A.reg.history('iris'));
    expect(git(b, 'show', 'iris@v2:artifacts/model/model.bin')).toBe('w1');
    const dest = tempDir('dl-');
    await B.reg.downloadArtifacts('models:/iris@champion', dest);
    expect(B.ml.getRun(runId).info.run_id).toBe(runId);
    fsckStrict(b);
  });

  it('two clones registering the next version at once: both registrations survive, the later push is renumbered', async () => {
    const bare = bareRepo();
    const a = makeRepo();
    git(a, 'remote', 'add', 'origin', bare);
    git(a, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    const A = open(a);
    const runA = await runWithModel(A.ml, 'from-a');
    A.reg.createModelVersion('clf', `runs:/${runA}/model`);
    A.reg.setRegisteredModelAlias('clf', 'prod', 1);
    sync(A.reg, A.ml, 'push');

    const b = cloneOf(bare, 'bob');
    const B = open(b);
    sync(B.reg, B.ml, 'pull');
    const runB = await runWithModel(B.ml, 'from-b');

    // both register v2 and point an alias at it, without syncing
    expect(A.reg.createModelVersion('clf', `runs:/${runA}/model`, undefined, { description: 'ann' }).version).toBe('2');
    A.reg.setRegisteredModelAlias('clf', 'prod', 2);
    expect(B.reg.createModelVersion('clf', `runs:/${runB}/model`, undefined, { description: 'bob' }).version).toBe('2');
    B.reg.setRegisteredModelAlias('clf', 'staging', 2);
    sync(A.reg, A.ml, 'push');

    // plain git refuses B's tag; git-ml's push pulls, renumbers B's unpushed v2 to v3, pushes again
    const res = sync(B.reg, B.ml, 'push');
    expect(res.rejected).toEqual([]);
    expect(res.pulled?.renumbered).toEqual([{ name: 'clf', from: 2, to: 3 }]);
    expect(git(bare, 'tag', '-l').split('\n')).toEqual(['clf@v1', 'clf@v2', 'clf@v3']);
    expect(B.reg.getModelVersion('clf', 2).description).toBe('ann');
    expect(B.reg.getModelVersion('clf', 3)).toMatchObject({ description: 'bob', run_id: runB });
    // B's alias followed its version; A's alias move is kept too
    expect(B.reg.getModelVersionByAlias('clf', 'staging').version).toBe('3');
    expect(B.reg.getModelVersionByAlias('clf', 'prod').version).toBe('2');
    const renumber = B.reg.history('clf').find((e) => e.action === 'renumber_version');
    expect(renumber).toMatchObject({ version: '3', detail: expect.stringContaining('renumber clf v2 → v3') });
    expect(B.reg.history('clf').find((e) => e.action === 'register' && e.version === '3')?.detail).toMatch(/registered as v2; renumbered on pull/);

    sync(A.reg, A.ml, 'pull');
    expect(A.reg.getRegisteredModel('clf')).toEqual(B.reg.getRegisteredModel('clf'));
    expect(A.reg.getModelVersion('clf', 3).run_id).toBe(runB);
    expect(git(a, 'show', 'clf@v3:artifacts/model/model.bin')).toBe('from-b');
    fsckStrict(a);
    fsckStrict(bare);
  });

  it('two clones moving one alias: the later move wins and both moves stay in the history', async () => {
    const bare = bareRepo();
    const a = makeRepo();
    git(a, 'remote', 'add', 'origin', bare);
    git(a, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    const A = open(a);
    const runA = await runWithModel(A.ml, 'x');
    for (let i = 0; i < 3; i++) A.reg.createModelVersion('reg', `runs:/${runA}/model`);
    sync(A.reg, A.ml, 'push');
    const b = cloneOf(bare, 'bob');
    const B = open(b);
    sync(B.reg, B.ml, 'pull');

    A.reg.setRegisteredModelAlias('reg', 'champion', 2);
    await new Promise((r) => setTimeout(r, 5));
    B.reg.setRegisteredModelAlias('reg', 'champion', 3);
    sync(A.reg, A.ml, 'push');
    const res = sync(B.reg, B.ml, 'push');
    expect(res.rejected).toEqual([]);
    sync(A.reg, A.ml, 'pull');
    for (const { reg } of [A, B]) {
      expect(reg.getModelVersionByAlias('reg', 'champion').version).toBe('3');
      const moves = reg.history('reg').filter((e) => e.action === 'set_alias').map((e) => e.version);
      expect(moves).toEqual(['2', '3']);
    }
    fsckStrict(bare);
  });
});

describe.skipIf(!hasGitLfs())('registry push with Git LFS artifacts (needs the git-lfs binary: apt install git-lfs)', () => {
  /** A repository storing artifacts with LFS, a remote, and a run whose model.bin went to LFS, registered as `m` v1. */
  async function registeredLfsModel() {
    const repo = makeRepo();
    useLfs(repo);
    const remote = bareRemote(repo);
    const A = open(repo);
    const weights = randomBytes(LFS_SIZED / 2).toString('hex');
    const runId = await runWithModel(A.ml, weights);
    A.reg.createModelVersion('m', `runs:/${runId}/model`);
    expect(git(repo, 'show', 'm@v1:artifacts/model/model.bin')).toMatch(/^version https:\/\/git-lfs/);
    return { repo, remote, A, runId, weights };
  }

  it('a version registered before its run overwrote the model downloads from a fresh clone', async () => {
    const { remote, A, runId, weights } = await registeredLfsModel();
    await A.ml.logArtifact(runId, randomFile('model.bin').file, 'model');
    A.ml.flush();
    sync(A.reg, A.ml, 'push');
    expect(lfsObjects(remote)).toHaveLength(2);

    const b = cloneOf(remote, 'bob');
    const B = open(b);
    sync(B.reg, B.ml, 'pull');
    const dest = tempDir('dl-');
    const got = await B.reg.downloadArtifacts('models:/m/1', dest);
    expect(readFileSync(join(got, 'model.bin'), 'utf8')).toBe(weights);
  });

  it("pushing the registry alone uploads the LFS content of the versions' runs", async () => {
    const { repo, remote, A, weights } = await registeredLfsModel();
    expect(pushRegistry(A.reg).rejected).toEqual([]);
    expect(lfsObjects(remote)).toEqual(lfsObjects(repo));
    expect(lfsObjects(remote)).toHaveLength(1);
    const clone = cloneOf(remote, 'bob');
    git(clone, 'fetch', '-q', 'origin', 'refs/tags/*:refs/tags/*');
    const pointer = gitBuf(clone, ['show', 'm@v1:artifacts/model/model.bin']);
    expect(gitBuf(clone, ['lfs', 'smudge', '--', 'model.bin'], pointer).toString('utf8')).toBe(weights);
  });
});
