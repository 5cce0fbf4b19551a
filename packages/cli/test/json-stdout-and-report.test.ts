import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, git, gitMl, ok, startRun, tempRepo } from './harness.js';

describe('reproduce --json and report without comparable runs', () => {
  it('reproduce --json prints only JSON on stdout; the child\'s output goes to stderr', () => {
    const repo = tempRepo();
    writeFileSync(join(repo, 'MLproject'), 'name: chatty\nentry_points:\n  main:\n    command: "node train.mjs"\n');
    writeFileSync(
      join(repo, 'train.mjs'),
      `import { execFileSync } from 'node:child_process';
console.log('epoch 1: training on stdout');
console.error('a warning on stderr');
execFileSync(process.execPath, [process.env.GIT_ML_BIN, 'runs', 'log', process.env.MLFLOW_RUN_ID, '--metric', 'score=3'], { stdio: 'inherit' });
`,
    );
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'project');
    const env = { GIT_ML_BIN: BIN };
    const first = gitMl(repo, ['run', '.', '--env-manager', 'local', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const runId = JSON.parse(first.stdout).runId as string;

    const r = gitMl(repo, ['reproduce', runId.slice(0, 20), '--env-manager', 'local', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout); // the whole of stdout is one JSON document
    expect(result.originalRunId).toBe(runId);
    expect(result.ok).toBe(true);
    expect(r.stdout).not.toContain('epoch 1');
    expect(r.stderr).toContain('epoch 1: training on stdout');
    expect(r.stderr).toContain('a warning on stderr');
    // without --json the child's output stays on stdout
    const plain = gitMl(repo, ['reproduce', runId, '--env-manager', 'local'], env);
    expect(plain.stdout).toMatch(/epoch 1: training on stdout[\s\S]*Reproduced /);
  });

  it('report names the metric it looked for when the base has no run with it', () => {
    const repo = tempRepo();
    const base = git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim();
    const old = startRun(repo, '--name', 'on-base');
    ok(repo, 'runs', 'log', old, '--metric', 'acc=0.5');
    git(repo, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(repo, 'f.txt'), 'x');
    git(repo, 'add', 'f.txt');
    git(repo, 'commit', '-qm', 'feature');
    const run = startRun(repo, '--name', 'on-feature');
    ok(repo, 'runs', 'log', run, '--metric', 'val_loss=0.4');

    const r = gitMl(repo, ['report', '--base', base]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`1 run on commits of this branch that \`${base}\` does not have; none of the 1 run on \`${base}\` has the metric \`val_loss\` to compare with.`);
    expect(r.stderr).toBe(`git-ml: none of the 1 run on '${base}' has the metric 'val_loss'. Compare by a metric they have with --metric KEY, or pick another --base.\n`);

    const json = gitMl(repo, ['report', '--base', base, '--format', 'json', '--metric', 'f1']);
    expect(JSON.parse(json.stdout).baseline).toBeNull();
    expect(json.stderr).toContain("has the metric 'f1'");

    // nothing on the branch and no --metric: it says there was no metric to look for, and how to name one
    const none = gitMl(repo, ['report', '--base', 'HEAD']);
    expect(none.stdout).toContain('there is no metric to compare: none was named with `--metric KEY` and the runs on this branch log none.');
    expect(none.stdout).not.toContain('`metrics`');
    expect(none.stderr).toMatch(/^git-ml: nothing to compare: .*--metric KEY\.\n$/);
  });
});
