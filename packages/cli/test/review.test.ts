import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, STACK_LINE, startRun, tempDir, tempRepo } from './harness.js';

describe('git-ml init and report', () => {
  it('init configures remotes once and says so; report prints markdown and JSON; bad input is one line', () => {
    const repo = tempRepo();
    const none = gitMl(repo, ['init']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^git-ml: error: This repository has no remotes\. Add one first/);
    const bare = tempDir();
    git(bare, 'init', '-q', '--bare');
    git(repo, 'remote', 'add', 'origin', bare);
    expect(ok(repo, 'init')).toMatch(/^origin: added fetch refspecs 'refs\/ml\/\*:refs\/ml\/\*', 'refs\/tags\/\*:refs\/tags\/\*'/);
    expect(ok(repo, 'init')).toBe('origin: already configured, nothing changed\n');

    const base = git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim();
    const a = startRun(repo, '--name', 'on-base');
    ok(repo, 'runs', 'log', a, '--metric', 'loss=0.5');
    ok(repo, 'runs', 'end', a);
    git(repo, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(repo, 'f.txt'), 'x');
    git(repo, 'add', 'f.txt');
    git(repo, 'commit', '-qm', 'feature');
    const b = startRun(repo, '--name', 'on-feature');
    ok(repo, 'runs', 'log', b, '--metric', 'loss=0.4');
    ok(repo, 'runs', 'end', b);

    const md = ok(repo, 'report', '--base', base);
    expect(md).toContain(`## git-ml: runs on \`feature\` vs \`${base}\``);
    expect(md).toMatch(/on-feature `…[0-9a-f]{8}` \| `[0-9a-f]{8}` \| 0\.4 \(-0\.1 🟢 better\)/);
    const json = JSON.parse(ok(repo, 'report', '--base', base, '--format', 'json'));
    expect(json.runs.map((r: { run_id: string }) => r.run_id)).toEqual([b]);
    expect(json.baseline.run_id).toBe(a);

    const bad = gitMl(repo, ['report', '--base', 'no-such-branch']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^git-ml: error: Unknown base 'no-such-branch'\. Pass a branch, tag or commit with --base/);
    expect(bad.stderr).not.toMatch(STACK_LINE);
  });
});
