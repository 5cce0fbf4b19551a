import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, refOf, STACK_LINE, startRun, tempDir, tempRepo } from './harness.js';

describe('errors', () => {
  it('runs show with an unknown id exits 1 with one line naming the id and no stack trace', () => {
    const repo = tempRepo();
    const missing = '0123456789abcdef0123456789abcdef';
    const r = gitMl(repo, ['runs', 'show', missing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^git-ml: error: .*${missing}.*\\n$`));
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('outside a git repository exits 1 and says to run `git init` or pass --repo', () => {
    const dir = tempDir();
    expect(() => execFileSync('git', ['rev-parse', '--git-dir'], { cwd: dir, stdio: 'ignore' })).toThrow(); // really outside a repo
    const r = gitMl(dir, ['runs', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^git-ml: error: .*git init.*--repo/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('MLFLOW_TRACKING_URI=http://… outside a repository says the CLI works on a repository, not through the server', () => {
    const dir = tempDir();
    const r = gitMl(dir, ['runs', 'list'], { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^git-ml: error: MLFLOW_TRACKING_URI is http:\/\/127\.0\.0\.1:5000, a tracking server.*--repo DIR/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    // inside a repository the URI does not get in the way: the repository around the directory is used
    const repo = tempRepo();
    expect(gitMl(repo, ['runs', 'list'], { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' }).code).toBe(0);
  });

  it('--repo points at a repository from anywhere, before or after the command', () => {
    const repo = tempRepo();
    const elsewhere = tempDir();
    const id = gitMl(elsewhere, ['--repo', repo, 'runs', 'start']).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(refOf(repo, id)).toBe(`refs/ml/runs/0/${id}`);
    expect(JSON.parse(gitMl(elsewhere, ['runs', 'list', '--json', '--repo', repo]).stdout).runs[0].info.run_id).toBe(id);
  });

  it('an invalid metric key is rejected with a message naming the key, and nothing is logged', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    const r = gitMl(repo, ['runs', 'log', id, '--metric', 'bad$key=1', '--metric', 'good=2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^git-ml: error: Invalid metric name 'bad\$key'/);
    expect(JSON.parse(ok(repo, 'runs', 'show', id, '--json')).run.data.metrics).toEqual([]);
  });

  it('a param logged twice with different values is an error, and the first value stays', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    ok(repo, 'runs', 'log', id, '--param', 'lr=0.1');
    expect(gitMl(repo, ['runs', 'log', id, '--param', 'lr=0.1']).code).toBe(0); // the same value again is fine
    const r = gitMl(repo, ['runs', 'log', id, '--param', 'lr=0.2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^git-ml: error: Param 'lr' .*already '0\.1'/);
    expect(git(repo, 'show', `${refOf(repo, id)}:params.yaml`)).toMatch(/^lr: "0\.1"$/m);
  });

  it('a malformed --metric or --param is a usage error (exit 2) naming the flag and the expected form', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    const noValue = gitMl(repo, ['runs', 'log', id, '--metric', 'loss']);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toMatch(/^git-ml: error: option '--metric <KEY=VALUE\[@STEP\]>' argument 'loss' is invalid\. .*KEY=VALUE\[@STEP\]/);
    const badStep = gitMl(repo, ['runs', 'log', id, '--metric', 'loss=1@two']);
    expect(badStep.code).toBe(2);
    expect(badStep.stderr).toMatch(/Step 'two' is not an integer/);
    const notNumber = gitMl(repo, ['runs', 'log', id, '--metric', 'loss=fast']);
    expect(notNumber.stderr).toMatch(/Value 'fast' is not a number/);
    const param = gitMl(repo, ['runs', 'log', id, '--param', 'lr']);
    expect(param.code).toBe(2);
    expect(param.stderr).toMatch(/^git-ml: error: option '--param <KEY=VALUE>' argument 'lr' is invalid\. Expected KEY=VALUE/);
  });

  it('usage errors exit 2 with one line: unknown command, missing argument, clashing flags, nothing to log', () => {
    const repo = tempRepo();
    for (const args of [['runz'], ['runs', 'log'], ['runs', 'list', '--all', '--deleted'], ['runs', 'log', '0123456789abcdef0123456789abcdef'], ['runs', 'end', 'x', '--status', 'DONE']]) {
      const r = gitMl(repo, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^git-ml: error: [^\n]+\n$/);
    }
  });
});
