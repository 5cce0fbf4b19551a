import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanEnv, gitMl, ok, refOf, startRun, tempRepo } from './harness.js';

describe('runs show', () => {
  it('shows info, params, latest metrics, user tags, artifacts and the git commands; --system adds system tags', () => {
    const repo = tempRepo();
    const id = startRun(repo, '--experiment', 'vision', '--name', 'resnet', '--tag', 'team=cv');
    ok(repo, 'runs', 'log', id, '--param', 'depth=50', '--metric', 'loss=0.9@1', '--metric', 'loss=0.4@2');
    ok(repo, 'runs', 'end', id);
    const ref = refOf(repo, id);
    const out = ok(repo, 'runs', 'show', id);
    expect(out).toMatch(new RegExp(`^Run ${id}\\n`));
    expect(out).toMatch(/^ {2}name\s+resnet$/m);
    expect(out).toMatch(/^ {2}experiment\s+vision \(\d+\)$/m);
    expect(out).toMatch(/^ {2}status\s+FINISHED$/m);
    expect(out).toMatch(/^ {2}source\s+[0-9a-f]{12} on main$/m);
    expect(out).toMatch(/^Params\n {2}depth\s+50$/m);
    expect(out).toMatch(/^Metrics \(latest\)\n {2}loss\s+0\.4 {2}\(step 2\)$/m);
    expect(out).toMatch(/^Tags\n {2}team\s+cv\n {2}\(\d+ system tags hidden; add --system to show them\)$/m);
    expect(out).not.toMatch(/mlflow\.user/);
    expect(out).toContain(`git show ${ref}`);
    expect(out).toContain(`git log ${ref}`);
    expect(ok(repo, 'runs', 'show', id, '--system')).toMatch(/^ {2}mlflow\.source\.git\.commit\s+[0-9a-f]{40}$/m);
    // the printed git commands work
    expect(execFileSync('git', ['log', '--oneline', ref], { cwd: repo, env: cleanEnv(), encoding: 'utf8' })).toMatch(/resnet/);
  });
});

describe('runs diff', () => {
  it('marks changed (~), only-in-A (-) and only-in-B (+) rows, shows metric deltas and the git diff command', () => {
    const repo = tempRepo();
    const a = startRun(repo, '--name', 'base');
    const b = startRun(repo, '--name', 'tuned');
    ok(repo, 'runs', 'log', a, '--param', 'lr=0.1', '--param', 'momentum=0.9', '--param', 'seed=1', '--metric', 'loss=0.5', '--metric', 'acc=nan');
    ok(repo, 'runs', 'log', b, '--param', 'lr=0.01', '--param', 'wd=1e-4', '--param', 'seed=1', '--metric', 'loss=0.25', '--metric', 'acc=0.9');
    ok(repo, 'runs', 'end', a);

    const out = ok(repo, 'runs', 'diff', a, b);
    expect(out).toMatch(new RegExp(`^A {2}${a} {2}base\\nB {2}${b} {2}tuned\\n`));
    expect(out).toMatch(/^ {2}~ {2}name\s+base\s+tuned$/m);
    expect(out).toMatch(/^ {2}~ {2}status\s+FINISHED\s+RUNNING$/m);
    expect(out).toMatch(/^ {2}~ {2}lr\s+0\.1\s+0\.01$/m);
    expect(out).toMatch(/^ {2}- {2}momentum\s+0\.9$/m);
    expect(out).toMatch(/^ {2}\+ {2}wd\s+1e-4$/m);
    expect(out).toMatch(/^ {5}seed\s+1\s+1$/m);
    expect(out).toMatch(/^ {2}~ {2}loss\s+0\.5\s+0\.25\s+-0\.25$/m);
    expect(out).toMatch(/^ {2}~ {2}acc\s+nan\s+0\.9$/m);
    const gitDiff = `git diff ${refOf(repo, a)} ${refOf(repo, b)}`;
    expect(out).toContain(gitDiff);
    // the printed command is real: git shows the param change
    const diff = execFileSync('git', gitDiff.split(' ').slice(1), { cwd: repo, env: cleanEnv(), encoding: 'utf8' });
    expect(diff).toMatch(/^-lr: "0\.1"$/m);
    expect(diff).toMatch(/^\+lr: "0\.01"$/m);
  });

  it('fails with exit 1 naming the run when one of them does not exist', () => {
    const repo = tempRepo();
    const a = startRun(repo);
    const r = gitMl(repo, ['runs', 'diff', a, 'ffffffffffffffffffffffffffffffff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ffffffffffffffffffffffffffffffff/);
  });
});
