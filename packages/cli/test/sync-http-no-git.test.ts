/**
 * `git-ml push` / `git-ml pull` on a machine without git: the transport falls back to isomorphic-git
 * over http(s). The server is real (C git's `git http-backend` on 127.0.0.1), the git-ml processes
 * run with a PATH that holds node and no git, and C git checks afterwards what the remote holds.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathWithoutGit, startGitHttpServer, type GitHttpServer } from '@git-ml/test-support';
import { BIN, cleanEnv, git, ok, startRun, STACK_LINE, tempDir, tempRepo, type Result } from './harness.js';

let server: GitHttpServer;
let root: string;
let noGit: string;

beforeAll(async () => {
  root = tempDir('git-ml-http-root-');
  server = await startGitHttpServer(root);
  noGit = pathWithoutGit();
});
afterAll(() => server?.close());

const bareRemote = (name: string) => server.bareRepo(name);

/** The built git-ml with no git on PATH; asynchronous, as the http server lives in this process. */
function gitMlNoGit(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolveRun) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: cleanEnv({ PATH: noGit, ...env }) });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}

function mlRefs(repo: string): string {
  return git(repo, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/ml/', 'refs/tags/');
}

describe('push and pull over http(s) without a git binary', () => {
  it('the PATH of these tests really has no git', async () => {
    const r = await new Promise<number | string>((res) => {
      const p = spawn('git', ['--version'], { env: { PATH: noGit } });
      p.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? 'error'));
      p.on('close', (code) => res(code ?? -1));
    });
    expect(r).toBe('ENOENT');
  });

  it('pushes runs and model versions to a smart-HTTP remote, and a second clone pulls them', async () => {
    const remote = bareRemote('runs');
    const alice = tempRepo();
    git(alice, 'remote', 'add', 'origin', remote.url);
    const id = startRun(alice, '--experiment', 'shared', '--name', 'alice-run');
    ok(alice, 'runs', 'log', id, '--param', 'lr=0.1', '--metric', 'loss=0.5@1');
    const modelDir = join(tempDir(), 'model');
    mkdirSync(modelDir);
    writeFileSync(join(modelDir, 'MLmodel'), 'flavors: {}\n');
    ok(alice, 'artifacts', 'log', id, modelDir, '--artifact-path', 'model');
    ok(alice, 'runs', 'end', id);
    expect(ok(alice, 'models', 'register', 'iris', '--source', `runs:/${id}/model`).trim()).toBe('1');

    const pushed = await gitMlNoGit(alice, ['push']);
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toMatch(/^Pushed 2 refs to origin:\n/);
    expect(pushed.stdout).toContain(`/${id}\n`);
    // C git, on the server's side: the same refs (runs, experiment, registry record, version tag) and objects
    expect(mlRefs(remote.dir)).toBe(mlRefs(alice));
    expect(mlRefs(remote.dir)).toMatch(/ refs\/tags\/iris@v1$/m);
    git(remote.dir, 'fsck', '--strict', '--no-progress');
    expect(git(remote.dir, 'show', `iris@v1:artifacts/model/MLmodel`)).toBe('flavors: {}\n');
    expect(server.log.some((l) => l.startsWith('POST /runs.git/git-receive-pack 200'))).toBe(true);

    const bob = tempRepo();
    git(bob, 'remote', 'add', 'origin', remote.url);
    const pulled = await gitMlNoGit(bob, ['pull']);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toMatch(/^Created 2 refs from origin:\n/);
    expect(mlRefs(bob)).toBe(mlRefs(alice));
    git(bob, 'fsck', '--strict', '--no-progress');
    expect(JSON.parse(ok(bob, 'runs', 'list', '--json')).runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(['alice-run']);
    expect(git(bob, 'show', 'iris@v1:artifacts/model/MLmodel')).toBe('flavors: {}\n');
    expect((await gitMlNoGit(bob, ['pull'])).stdout).toBe('Already up to date with origin.\n');
    expect((await gitMlNoGit(alice, ['push'])).stdout).toBe('Everything up-to-date.\n');
  });

  it('a run changed on both sides: the remote refuses the non-fast-forward, push merges and pushes again', async () => {
    const remote = bareRemote('both');
    const alice = tempRepo();
    git(alice, 'remote', 'add', 'origin', remote.url);
    const id = startRun(alice, '--name', 'shared-run');
    expect((await gitMlNoGit(alice, ['push'])).code).toBe(0);
    const bob = tempRepo();
    git(bob, 'remote', 'add', 'origin', remote.url);
    expect((await gitMlNoGit(bob, ['pull'])).code).toBe(0);
    ok(alice, 'runs', 'log', id, '--param', 'from=alice');
    ok(bob, 'runs', 'log', id, '--param', 'by=bob');
    expect((await gitMlNoGit(alice, ['push'])).code).toBe(0);
    const aliceTip = git(alice, 'for-each-ref', '--format=%(objectname)', `refs/ml/runs/`).trim();

    const r = await gitMlNoGit(bob, ['push', '--json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.pulled.merged).toHaveLength(1);
    expect(out.rejected).toEqual([]);
    const ref = out.pulled.merged[0] as string;
    // the remote's run now is bob's merge of both sides, built on alice's commit
    const remoteTip = git(remote.dir, 'rev-parse', ref).trim();
    expect(git(remote.dir, 'rev-list', '--parents', '-n', '1', remoteTip).trim().split(' ')).toContain(aliceTip);
    expect(git(remote.dir, 'show', `${ref}:params.yaml`)).toBe('by: "bob"\nfrom: "alice"\n');
    git(remote.dir, 'fsck', '--strict', '--no-progress');
  });

  it('an ssh remote without git: a clear error that says to install git or use https', async () => {
    const repo = tempRepo();
    git(repo, 'remote', 'add', 'origin', 'git@example.com:team/project.git');
    startRun(repo);
    for (const cmd of ['push', 'pull']) {
      const r = await gitMlNoGit(repo, [cmd]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^git-ml: error: Could not reach "origin" \(an ssh remote\) without git: git is not installed .*Install git, or use an https URL/);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a repository that is not there, a server that is not listening: one-line errors naming them', async () => {
    const repo = tempRepo();
    startRun(repo);
    const missing = await gitMlNoGit(repo, ['push', `${server.url}/nothing-here.git`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^git-ml: error: There is no git repository at http:\/\/127\.0\.0\.1:\d+\/nothing-here\.git \(HTTP 404\)/);
    const closed = await startGitHttpServer(root);
    const url = `${closed.url}/runs.git`;
    await closed.close();
    const down = await gitMlNoGit(repo, ['pull', url]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^git-ml: error: Could not reach http:\/\/127\.0\.0\.1:\d+\/runs\.git: ECONNREFUSED/);
    for (const r of [missing, down]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('credentials for the http(s) fallback', () => {
  let secure: GitHttpServer;
  beforeAll(async () => {
    secure = await startGitHttpServer(root, { auth: { username: 'alice', password: 's3cret-token' } });
  });
  afterAll(() => secure?.close());

  it('takes them from GIT_ML_HTTP_USERNAME / GIT_ML_HTTP_PASSWORD or the URL, and says which were refused', async () => {
    const { dir } = bareRemote('private');
    const url = `${secure.url}/private.git`;
    const repo = tempRepo();
    git(repo, 'remote', 'add', 'origin', url);
    const id = startRun(repo);

    const none = await gitMlNoGit(repo, ['push']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/needs credentials\. Set GIT_ML_HTTP_USERNAME and GIT_ML_HTTP_PASSWORD \(a token\)/);
    const wrong = await gitMlNoGit(repo, ['push'], { GIT_ML_HTTP_USERNAME: 'alice', GIT_ML_HTTP_PASSWORD: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the credentials git-ml sent/);
    expect(wrong.stderr).not.toContain('nope');

    const good = await gitMlNoGit(repo, ['push'], { GIT_ML_HTTP_USERNAME: 'alice', GIT_ML_HTTP_PASSWORD: 's3cret-token' });
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(git(dir, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs/')).toContain(id);

    const other = tempRepo();
    const viaUrl = await gitMlNoGit(other, ['pull', url.replace('http://', 'http://alice:s3cret-token@')]);
    expect(viaUrl.stderr).toBe('');
    expect(viaUrl.code).toBe(0);
    expect(git(other, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs/')).toContain(id);
  });
});
