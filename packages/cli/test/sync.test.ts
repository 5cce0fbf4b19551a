import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, startRun, tempDir, tempRepo } from './harness.js';

describe('push and pull', () => {
  it('push sends runs to a bare remote and pull brings them into another clone', () => {
    const remote = tempDir();
    git(remote, 'init', '-q', '--bare');
    const alice = tempRepo();
    git(alice, 'remote', 'add', 'origin', remote);
    const id = startRun(alice, '--experiment', 'shared', '--name', 'alice-run');
    ok(alice, 'runs', 'log', id, '--param', 'lr=0.1');
    ok(alice, 'runs', 'end', id);

    const pushed = gitMl(alice, ['push']);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toMatch(/^Pushed 2 refs to origin:\n/);
    expect(pushed.stdout).toContain(`/${id}\n`);
    expect(git(remote, 'for-each-ref', '--format=%(refname)', 'refs/ml')).toMatch(new RegExp(`^refs/ml/runs/\\d+/${id}$`, 'm'));

    const bob = tempRepo();
    git(bob, 'remote', 'add', 'origin', remote);
    const pulled = gitMl(bob, ['pull']);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toMatch(/^Created 2 refs from origin:\n/);
    expect(JSON.parse(ok(bob, 'runs', 'list', '--json')).runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(['alice-run']);
    expect(ok(bob, 'pull')).toBe('Already up to date with origin.\n');
    expect(ok(alice, 'push')).toBe('Everything up-to-date.\n');
    git(bob, 'fsck', '--strict');
  });

  it('pull from a remote that does not exist exits 1 with git\'s reason', () => {
    const repo = tempRepo();
    const r = gitMl(repo, ['pull', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^git-ml: error: .*nowhere/m);
  });
});
