import { describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '@git-ml/tracking';
import { open, runWithModel } from './helpers.js';
import { caught, fsckStrict, git, makeRepo } from '@git-ml/test-support';

describe("importers keep another registry's numbers, users and times", () => {
  it('registers a version under a given number, user and creation time, leaving lower numbers unused', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    const v = reg.createModelVersion('iris', `runs:/${runId}/model`, undefined, { imported: { version: 3, user_id: 'ana', creation_timestamp: 1_600_000_000_000 } });
    expect(v).toMatchObject({ version: '3', user_id: 'ana', creation_timestamp: 1_600_000_000_000 });
    expect(() => reg.getModelVersion('iris', 1)).toThrow(/does not exist/);
    expect(git(repo, 'for-each-ref', '--format=%(taggerdate:unix)', 'refs/tags/iris@v3')).toBe('1600000000');
    // the number is taken: refused, never moved to another number
    const err = caught(() => reg.createModelVersion('iris', `runs:/${runId}/model`, undefined, { imported: { version: 3, user_id: 'ana', creation_timestamp: 1 } }));
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(git(repo, 'tag', '-l')).toBe('iris@v3');
    // a later ordinary registration takes the next number after it
    expect(reg.createModelVersion('iris', `runs:/${runId}/model`).version).toBe('4');
    fsckStrict(repo);
  });

  it("sets the model's and versions' times once, and writes nothing when they are already those", async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const runId = await runWithModel(ml);
    reg.createModelVersion('iris', `runs:/${runId}/model`, undefined, { imported: { version: 1, user_id: '', creation_timestamp: 1_600_000_000_000 } });
    reg.setModelVersionTag('iris', 1, 'k', 'v'); // stamps "now" on the model and the version
    const times = { creation_timestamp: 1_500_000_000_000, last_updated_timestamp: 1_600_000_000_500, versions: { '1': 1_600_000_000_400, '9': 5 } };
    expect(reg.importModelTimes('iris', times)).toBe(true);
    expect(reg.getRegisteredModel('iris')).toMatchObject({ creation_timestamp: 1_500_000_000_000, last_updated_timestamp: 1_600_000_000_500 });
    expect(reg.getModelVersion('iris', 1)).toMatchObject({ creation_timestamp: 1_600_000_000_000, last_updated_timestamp: 1_600_000_000_400 });
    const head = git(repo, 'rev-parse', 'refs/ml/registry/iris');
    expect(reg.importModelTimes('iris', times)).toBe(false);
    expect(git(repo, 'rev-parse', 'refs/ml/registry/iris')).toBe(head);
    expect(reg.history('iris').map((e) => e.action)).toContain('import_times');
  });
});
