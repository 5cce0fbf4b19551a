import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, STACK_LINE, tempRepo } from './harness.js';

/** A project whose `train` entry point logs `score = 2 * alpha` into the run it was given. */
function project(repo: string): void {
  writeFileSync(
    join(repo, 'MLproject'),
    `name: demo
entry_points:
  train:
    parameters:
      alpha: {type: float, default: 0.5}
      note: string
    command: "node train.mjs {alpha} {note}"
`,
  );
  writeFileSync(
    join(repo, 'train.mjs'),
    `import { execFileSync } from 'node:child_process';
const [alpha, note] = process.argv.slice(2);
execFileSync(process.execPath, [process.env.GIT_ML_BIN, 'runs', 'log', process.env.MLFLOW_RUN_ID, '--metric', 'score=' + 2 * Number(alpha), '--tag', 'note=' + note], { stdio: 'inherit' });
`,
  );
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'project');
}

describe('git-ml run and git-ml reproduce', () => {
  it('runs an entry point as a tracked run, then reproduces it exactly; bad input is one line', async () => {
    const { BIN } = await import('./harness.js');
    const repo = tempRepo();
    project(repo);
    const env = { GIT_ML_BIN: BIN };
    const r = gitMl(repo, ['run', '.', '-e', 'train', '-P', 'alpha=1.5', '-P', "note=it's; fine", '--env-manager', 'local', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('FINISHED');
    const run = JSON.parse(ok(repo, 'runs', 'show', result.runId, '--json')).run;
    expect(run.data.metrics.find((m: { key: string }) => m.key === 'score').value).toBe(3);
    expect(run.data.tags.find((t: { key: string }) => t.key === 'note').value).toBe("it's; fine");
    expect(run.data.tags.find((t: { key: string }) => t.key === 'mlflow.source.type').value).toBe('PROJECT');

    const rep = gitMl(repo, ['reproduce', result.runId, '--env-manager', 'local'], env);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/^Reproduced [0-9a-f]{32} as [0-9a-f]{32}:\n/);
    expect(rep.stdout).toMatch(/score/);

    const missing = gitMl(repo, ['run', '.', '-e', 'train', '--env-manager', 'local'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^git-ml: error: .*note/m);
    expect(missing.stderr).not.toMatch(STACK_LINE);
    const wrong = gitMl(repo, ['run', '.', '-e', 'nope', '--env-manager', 'local'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/nope/);
  });
});
