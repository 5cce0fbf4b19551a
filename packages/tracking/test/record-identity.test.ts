/**
 * The ref names the run. A run.yaml naming another run (copied or hand-edited, committed with git
 * plumbing) never makes that run appear twice: search leaves it out and reports the ref, getRun
 * fails naming the ref, the file and the field. Real repository, real git.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MlClient } from '@git-ml/tracking';
import { caught, closeClients, git, gitBuf, makeRepo, openClient, removeTempDirs } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

/** Commits, on `ref`, its run.yaml with `field` set to `value` — as a user would with git alone. */
function editRunYaml(repo: string, ref: string, field: string, value: string): void {
  const old = git(repo, 'rev-parse', ref);
  const yaml = git(repo, 'show', `${ref}:run.yaml`).replace(new RegExp(`^${field}: .*$`, 'm'), `${field}: ${JSON.stringify(value)}`);
  const blob = gitBuf(repo, ['hash-object', '-w', '--stdin'], `${yaml}\n`).toString().trim();
  const entries = git(repo, 'ls-tree', old).replace(/blob [0-9a-f]{40}(\trun\.yaml)/, `blob ${blob}$1`);
  const tree = gitBuf(repo, ['mktree'], `${entries}\n`).toString().trim();
  git(repo, 'update-ref', ref, git(repo, 'commit-tree', tree, '-p', old, '-m', 'hand edit'), old);
}

function setup(): { repo: string; c: MlClient; exp: string; a: string; b: string; others: string[] } {
  const repo = makeRepo();
  const c = openClient(repo);
  const exp = c.createExperiment('ids');
  const [a, b, ...others] = [0, 1, 2, 3].map((i) => c.createRun(exp, { runName: `r${i}`, recordSource: false }).info.run_id);
  c.flush();
  // the index is built (and saved) before the edit, as in a repository used for a while
  expect(c.searchRuns(exp).runs).toHaveLength(4);
  return { repo, c, exp, a: a!, b: b!, others };
}

describe("a run.yaml naming another run than its ref", () => {
  it('is never returned twice by searchRuns (an index built before the edit included); the ref is reported', () => {
    const { repo, c, exp, a, b, others } = setup();
    const refB = `refs/ml/runs/${exp}/${b}`;
    editRunYaml(repo, refB, 'run_id', a);
    expect(git(repo, 'show', `${refB}:run.yaml`)).toContain(`run_id: "${a}"`);

    for (const client of [c, openClient(repo)]) {
      const ids = client.searchRuns(exp).runs.map((r) => r.info.run_id);
      expect(ids.sort()).toEqual([a, ...others].sort());
      expect([...client.unreadableRuns.keys()]).toEqual([refB]);
      expect(client.unreadableRuns.get(refB)).toMatch(new RegExp(`run\\.yaml in ${refB} .*field 'run_id' is "${a}" but the ref names run ${b}`));
    }
  });

  it('makes getRun of that run fail naming the ref, run.yaml and run_id; the run it names reads as before', () => {
    const { repo, exp, a, b } = setup();
    const refB = `refs/ml/runs/${exp}/${b}`;
    editRunYaml(repo, refB, 'run_id', a);
    const c = openClient(repo);
    const e = caught(() => c.getRun(b));
    expect(e.code).toBe('CORRUPT_RECORD');
    expect(e.message).toContain(refB);
    expect(e.message).toContain('run.yaml');
    expect(e.message).toContain(`field 'run_id' is "${a}" but the ref names run ${b}`);
    expect(e.message).toContain(`git show ${refB}:run.yaml`);
    expect(c.getRun(a).info.run_id).toBe(a);
  });

  it('is not duplicated while that run has values not yet folded into its ref', () => {
    const { repo, c, exp, a, b, others } = setup();
    editRunYaml(repo, `refs/ml/runs/${exp}/${b}`, 'run_id', a);
    // journaled, folded on a later turn of the event loop: searched as ref + unfolded lines
    c.setTag(a, 'stage', 'pending');
    c.setTag(b, 'stage', 'pending');
    const runs = c.searchRuns(exp).runs;
    expect(runs.map((r) => r.info.run_id).sort()).toEqual([a, ...others].sort());
    expect(runs.find((r) => r.info.run_id === a)!.data.tags).toContainEqual({ key: 'stage', value: 'pending' });
  });

  it('also when it names another experiment than its ref', () => {
    const { repo, c, exp, b } = setup();
    const other = c.createExperiment('elsewhere');
    const refB = `refs/ml/runs/${exp}/${b}`;
    editRunYaml(repo, refB, 'experiment_id', other);
    const fresh = openClient(repo);
    expect(fresh.searchRuns([exp, other]).runs.map((r) => r.info.run_id)).not.toContain(b);
    expect(fresh.unreadableRuns.get(refB)).toContain(`field 'experiment_id' is "${other}" but the ref names experiment ${exp}`);
    expect(caught(() => fresh.getRun(b)).code).toBe('CORRUPT_RECORD');
  });
});
