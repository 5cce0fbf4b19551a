import { describe, expect, it } from 'vitest';
import { gitMl, ok, STACK_LINE, startRun, tempRepo } from './harness.js';

/** The length of the longest prefix the ids share. */
function sharedPrefix(ids: string[]): number {
  let n = 0;
  while (ids.every((id) => id[n] === ids[0][n])) n++;
  return n;
}

describe('run ids by unique prefix', () => {
  it('every command that takes a run id accepts a unique prefix, and an ambiguous one lists the candidates', () => {
    const repo = tempRepo();
    // runs started within the same second share their time-ordered head
    const a = startRun(repo, '--name', 'first');
    const b = startRun(repo, '--name', 'second');
    const common = sharedPrefix([a, b]);
    expect(common).toBeGreaterThanOrEqual(4);
    const shortA = a.slice(0, common + 1);
    const shortB = b.slice(0, common + 1);

    ok(repo, 'runs', 'log', shortA, '--param', 'lr=0.1', '--metric', 'loss=0.5@1');
    expect(JSON.parse(ok(repo, 'runs', 'show', shortA, '--json')).run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(ok(repo, 'runs', 'show', shortA)).toMatch(new RegExp(`^Run ${a}\\n`));
    expect(ok(repo, 'runs', 'diff', shortA, shortB)).toMatch(new RegExp(`^A  ${a}  first\\nB  ${b}  second\\n`));
    expect(JSON.parse(ok(repo, 'runs', 'history', shortA, 'loss', '--json')).metrics).toHaveLength(1);
    ok(repo, 'runs', 'end', shortA);
    expect(ok(repo, 'runs', 'delete', shortB)).toContain(`Deleted run ${b}.`);
    expect(ok(repo, 'runs', 'restore', shortB)).toContain(`Restored run ${b}.`);
    expect(JSON.parse(ok(repo, 'runs', 'show', a, '--json')).run.info.status).toBe('FINISHED');

    const ambiguous = a.slice(0, common);
    const r = gitMl(repo, ['runs', 'show', ambiguous]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`git-ml: error: Run id '${ambiguous}' is ambiguous: 2 runs start with it; give more characters of the id.`);
    // each candidate with its name, status and start, so the right one can be picked at once
    const named = new Map([[a, 'first'], [b, 'second']]);
    expect(lines.slice(1, 3)).toEqual([a, b].sort().map((id) => expect.stringMatching(new RegExp(`^  ${id}  ${named.get(id)}  (RUNNING|FINISHED)  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`))));
    expect(lines.slice(3)).toEqual(['']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    // nothing was written to either run by a refused command
    expect(gitMl(repo, ['runs', 'log', ambiguous, '--tag', 'x=y']).code).toBe(1);
    expect(JSON.parse(ok(repo, 'runs', 'show', a, '--json')).run.data.tags.find((t: { key: string }) => t.key === 'x')).toBeUndefined();
  });

  it('artifacts and models take a prefix too, and the model version records the full id', () => {
    const repo = tempRepo();
    const run = startRun(repo);
    const short = run.slice(0, 16);
    ok(repo, 'artifacts', 'log', short, 'train.py', '--artifact-path', 'model');
    expect(JSON.parse(ok(repo, 'artifacts', 'list', short, 'model', '--json')).files.map((f: { path: string }) => f.path)).toEqual(['model/train.py']);
    ok(repo, 'models', 'register', 'm', '--source', `runs:/${short}/model`);
    const version = JSON.parse(ok(repo, 'models', 'resolve', 'models:/m/1', '--json'));
    expect(version.run_id).toBe(run);
    ok(repo, 'models', 'register', 'm', '--source', 'model', '--run-id', short);
    expect(JSON.parse(ok(repo, 'models', 'resolve', 'models:/m/2', '--json')).run_id).toBe(run);
  });

  it('a prefix shorter than 4 characters, or one no run has, is not found', () => {
    const repo = tempRepo();
    const run = startRun(repo);
    const short = gitMl(repo, ['runs', 'show', run.slice(0, 3)]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^git-ml: error: Run '.{3}' not found\. A shortened run id needs at least 4 characters;/);
    const none = gitMl(repo, ['runs', 'show', 'ffffffff']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^git-ml: error: Run 'ffffffff' not found\./);
  });
});
