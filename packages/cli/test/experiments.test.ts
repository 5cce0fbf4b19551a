import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, tempRepo } from './harness.js';

function experiments(repo: string, ...args: string[]): { experiment_id: string; name: string; lifecycle_stage: string }[] {
  return JSON.parse(ok(repo, 'experiments', 'list', '--json', ...args)).experiments;
}

describe('experiments', () => {
  it('create prints only the id, which names the experiment ref', () => {
    const repo = tempRepo();
    const out = ok(repo, 'experiments', 'create', 'churn');
    expect(out).toMatch(/^\d+\n$/);
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/experiments')).toContain(`refs/ml/experiments/${out.trim()}\n`);
    const again = gitMl(repo, ['experiments', 'create', 'churn']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^git-ml: error: Experiment 'churn' already exists/);
  });

  it('rename, delete and restore by name or id; list shows the right stage for --all and --deleted', () => {
    const repo = tempRepo();
    const id = ok(repo, 'experiments', 'create', 'old-name').trim();
    ok(repo, 'experiments', 'rename', 'old-name', 'new-name');
    expect(experiments(repo).find((e) => e.experiment_id === id)?.name).toBe('new-name');

    expect(ok(repo, 'experiments', 'delete', 'new-name')).toMatch(/Deleted experiment 'new-name'/);
    expect(experiments(repo).map((e) => e.experiment_id)).not.toContain(id);
    expect(experiments(repo, '--deleted')).toEqual([expect.objectContaining({ experiment_id: id, lifecycle_stage: 'deleted' })]);
    expect(experiments(repo, '--all').map((e) => e.experiment_id)).toContain(id);

    ok(repo, 'experiments', 'restore', id);
    expect(experiments(repo).find((e) => e.experiment_id === id)?.lifecycle_stage).toBe('active');
    // every change is a commit on the experiment's ref
    expect(git(repo, 'rev-list', '--count', `refs/ml/experiments/${id}`).trim()).toBe('4');
  });

  it('list prints a table of id, name, stage and creation time', () => {
    const repo = tempRepo();
    const id = ok(repo, 'experiments', 'create', 'tabled').trim();
    const [header, ...rows] = ok(repo, 'experiments', 'list').trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+STAGE\s+CREATED$/);
    expect(rows.find((r) => r.startsWith(id))).toMatch(/tabled\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('names an unknown experiment and says how to find the existing ones', () => {
    const repo = tempRepo();
    const r = gitMl(repo, ['experiments', 'delete', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^git-ml: error: No experiment named 'nope'.*git-ml experiments list/);
  });
});
