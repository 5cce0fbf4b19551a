/**
 * Many processes creating the same experiment at once get one experiment, all with its id — never
 * two experiments of one name, never "changed concurrently". Real OS processes, real git.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '@git-ml/tracking';
import { closeClients, fsckStrict, git, makeRepo, openClient, removeTempDirs, startNode, tempDir, writeWorker } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

/** Every experiment ref with the name in its experiment.yaml, read with the real git. */
function experimentsByGit(repo: string): { ref: string; name: string }[] {
  const refs = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/experiments/').split('\n').filter(Boolean);
  return refs.map((ref) => ({ ref, name: /^name: "(.*)"$/m.exec(git(repo, 'show', `${ref}:experiment.yaml`))![1]! }));
}

describe('creating one experiment from many processes at once', () => {
  it('8 processes × 5 trials of `getExperimentByName(x) ?? createExperiment(x)`: one experiment, one id for all, no error', async () => {
    const script = writeWorker(
      tempDir('gitml-exp-race-'),
      'get-or-create.mjs',
      `
const [repo, name, startAt] = arg;
const c = new MlClient({ repo });
while (Date.now() < Number(startAt)); // all processes start together
const id = c.getExperimentByName(name)?.experiment_id ?? c.createExperiment(name);
say('id ' + id);
c.close();
`,
    );
    for (let trial = 0; trial < 5; trial++) {
      const repo = makeRepo();
      const startAt = Date.now() + 1500;
      const children = Array.from({ length: 8 }, () => startNode(script, [repo, 'x', String(startAt)], repo));
      const results = await Promise.all(children.map((c) => c.done));
      for (const r of results) expect(r.code, `trial ${trial}: ${r.err}`).toBe(0);
      const ids = new Set(results.map((r) => /^id (\d+)$/m.exec(r.out)?.[1]));
      expect([...ids], `trial ${trial}`).toHaveLength(1);
      expect(experimentsByGit(repo), `trial ${trial}`).toEqual([{ ref: `refs/ml/experiments/${[...ids][0]}`, name: 'x' }]);
      fsckStrict(repo);
    }
  });

  it('still refuses to create a name that existed before (RESOURCE_ALREADY_EXISTS), and skips a natural id taken by a renamed experiment', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const first = c.createExperiment('churn');
    expect(() => c.createExperiment('churn')).toThrow(AlreadyExistsError);
    c.renameExperiment(first, 'churn-old');
    const second = c.createExperiment('churn');
    expect(second).not.toBe(first);
    expect(experimentsByGit(repo).map((e) => e.name).sort()).toEqual(['churn', 'churn-old']);
    // get-or-create in one process while another creates the name: reused; the lookup counts once
    expect(c.getExperimentByName('later')).toBeNull();
    const other = openClient(repo);
    other.createExperiment('later');
    expect(c.createExperiment('later')).toBe(other.getExperimentByName('later')!.experiment_id);
    expect(() => c.createExperiment('later')).toThrow(AlreadyExistsError);
  });
});
