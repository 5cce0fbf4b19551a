import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, refOf, tempRepo } from './harness.js';

function bytesUnder(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) n += d.isDirectory() ? bytesUnder(join(dir, d.name)) : statSync(join(dir, d.name)).size;
  return n;
}

describe('git-ml runs start in a repository with untracked data', () => {
  it('leaves a 300 MB untracked file out of the snapshot with one warning line, and `ml.snapshot off` silences it', () => {
    const repo = tempRepo();
    mkdirSync(join(repo, 'data'));
    execFileSync('fallocate', ['-l', '300M', join(repo, 'data/train.bin')]);
    writeFileSync(join(repo, 'params.yaml'), 'lr: 0.1\n');
    const before = bytesUnder(join(repo, '.git'));

    const r = gitMl(repo, ['runs', 'start']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{32}\n$/);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^git-ml: warning: left 1 untracked file out of the run's source snapshot: data\/train\.bin \(300 MiB, over the 1\.0 MiB per-file cap\); listed in tag git-ml\.source\.omitted\. To change it: .*\.gitmlignore.*ml\.snapshot/);
    expect(bytesUnder(join(repo, '.git')) - before).toBeLessThan(1024 * 1024);
    const ref = refOf(repo, r.stdout.trim());
    const snapshot = /commit: "([0-9a-f]{40})"/.exec(git(repo, 'show', `${ref}:run.yaml`))![1];
    expect(git(repo, 'ls-tree', '-r', '--name-only', snapshot).trim().split('\n')).toEqual(['params.yaml', 'train.py']);
    expect(ok(repo, 'runs', 'show', r.stdout.trim())).toMatch(/source\s+[0-9a-f]{12} on main \(snapshot of uncommitted changes; 1 untracked file left out\)/);

    git(repo, 'config', 'ml.snapshot', 'off');
    const off = gitMl(repo, ['runs', 'start']);
    expect(off.code).toBe(0);
    expect(off.stderr).toBe('');
  });
});
