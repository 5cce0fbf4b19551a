/**
 * gitstore's transport with no git binary on PATH: isomorphic-git over http(s) against a real
 * smart-HTTP server (C git's `git http-backend` on 127.0.0.1), with C git checking the results.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, pathWithoutGit, removeTempDirs, repoWithCommits, startGitHttpServer, tempDir, type GitHttpServer } from '@git-ml/test-support';

const GITSTORE = createRequire(import.meta.url).resolve('@git-ml/gitstore');
let server: GitHttpServer;
let noGit: string;
let script: string;

beforeAll(async () => {
  server = await startGitHttpServer(tempDir('gitml-http-root-'));
  noGit = pathWithoutGit();
  script = join(tempDir('gitml-http-script-'), 'call.mjs');
  writeFileSync(
    script,
    `import * as gitstore from ${JSON.stringify(GITSTORE)};
const answers = [];
for (const [name, ...args] of JSON.parse(process.argv[2])) {
  try {
    const r = gitstore[name](...args);
    answers.push({ ok: r instanceof Map ? Object.fromEntries(r) : r ?? null });
  } catch (e) {
    answers.push({ error: { code: e.code, message: e.message } });
  }
}
process.stdout.write(JSON.stringify(answers));
`,
  );
});
afterAll(async () => {
  await server?.close();
  removeTempDirs();
});

type Answer = { ok?: any; error?: { code: string; message: string } };

/** Calls a gitstore export in a child process whose PATH has node and no git. */
async function noGitCall(name: string, ...args: unknown[]): Promise<Answer> {
  return (await noGitCalls([[name, ...args]]))[0];
}

/** Several calls, one after the other, in one such process. */
function noGitCalls(calls: unknown[][]): Promise<Answer[]> {
  return new Promise((res, rej) => {
    const env = { ...process.env, PATH: noGit, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const p = spawn(process.execPath, [script, JSON.stringify(calls)], { env });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('close', () => {
      try {
        res(JSON.parse(out));
      } catch {
        rej(new Error(`no answer: ${out}\n${err}`));
      }
    });
  });
}

const bareRemote = (name: string) => server.bareRepo(name);

function commit(repo: string, message: string): string {
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

describe('transport over http(s) without git', () => {
  it('pushes a branch and an annotated tag atomically; C git on the server sees the same objects', async () => {
    const remote = bareRemote('push');
    const { repo, commits } = repoWithCommits('gitml-http-', 'A', 'B');
    writeFileSync(join(repo, 'data.txt'), 'hello\n');
    git(repo, 'add', 'data.txt');
    const c = commit(repo, 'C');
    git(repo, 'tag', '-a', '-m', 'version one', 'v1', commits[0]);
    const r = await noGitCall('pushRefs', repo, remote.url, ['--atomic', 'refs/heads/*:refs/heads/*', 'refs/tags/v1:refs/tags/v1']);
    expect(r.error).toBeUndefined();
    expect(r.ok.pushed.sort()).toEqual(['refs/heads/main', 'refs/tags/v1']);
    expect(r.ok.rejected).toEqual([]);
    expect(git(remote.dir, 'rev-parse', 'main')).toBe(c);
    expect(git(remote.dir, 'cat-file', '-t', 'v1')).toBe('tag');
    expect(git(remote.dir, 'show', 'main:data.txt')).toBe('hello');
    git(remote.dir, 'fsck', '--strict', '--no-progress');
    // and ls-remote answers as C git's does
    const ours = (await noGitCall('lsRemote', repo, remote.url)).ok;
    const theirs = Object.fromEntries(git(repo, 'ls-remote', remote.dir).split('\n').map((l) => l.split('\t').reverse()));
    expect(ours).toEqual(theirs);
    expect((await noGitCall('lsRemote', repo, remote.url, ['--tags', '--refs', 'v*'])).ok).toEqual({ 'refs/tags/v1': git(repo, 'rev-parse', 'v1') });
  });

  it('refuses what the remote moved (fetch first, then non-fast-forward, with git\'s reasons) unless forced', async () => {
    const remote = bareRemote('nonff');
    const { repo: alice } = repoWithCommits('gitml-http-a-', 'A');
    git(alice, 'push', '-q', remote.dir, 'main');
    const bob = tempDir('gitml-http-b-');
    git(bob, 'clone', '-q', '-b', 'main', remote.dir, '.');
    git(bob, 'config', 'user.name', 'Bob');
    git(bob, 'config', 'user.email', 'bob@example.com');
    const theirs = commit(bob, 'theirs');
    git(bob, 'push', '-q', 'origin', 'main');
    const ours = commit(alice, 'ours');
    git(alice, 'branch', 'side');

    const first = (await noGitCall('pushRefs', alice, remote.url, ['refs/heads/main:refs/heads/main'])).ok;
    expect(first).toEqual({ pushed: [], rejected: [{ ref: 'refs/heads/main', reason: '[rejected] (fetch first)' }] });
    expect((await noGitCall('fetchRefs', alice, remote.url, ['+refs/heads/main:refs/remotes/origin/main'])).error).toBeUndefined();
    expect(git(alice, 'rev-parse', 'refs/remotes/origin/main')).toBe(theirs);
    const atomic = (await noGitCall('pushRefs', alice, remote.url, ['--atomic', 'refs/heads/main:refs/heads/main', 'refs/heads/side:refs/heads/side'])).ok;
    expect(atomic.rejected).toEqual([
      { ref: 'refs/heads/main', reason: '[rejected] (non-fast-forward)' },
      { ref: 'refs/heads/side', reason: '[rejected] (atomic push failed)' },
    ]);
    expect(git(remote.dir, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    expect(git(remote.dir, 'rev-parse', 'main')).toBe(theirs);

    const forced = (await noGitCall('pushRefs', alice, remote.url, ['+refs/heads/main:refs/heads/main'])).ok;
    expect(forced).toEqual({ pushed: ['refs/heads/main'], rejected: [] });
    expect(git(remote.dir, 'rev-parse', 'main')).toBe(ours);
    git(remote.dir, 'fsck', '--strict', '--no-progress');
  });

  it('fetch leaves a non-forced non-fast-forward alone and says so; forced, it moves', async () => {
    const remote = bareRemote('fetch');
    const { repo: up, commits } = repoWithCommits('gitml-http-up-', 'A', 'B');
    git(up, 'push', '-q', remote.dir, 'main');
    const { repo } = repoWithCommits('gitml-http-down-', 'mine');
    git(repo, 'update-ref', 'refs/mirror/main', git(repo, 'rev-parse', 'HEAD'));
    const refused = await noGitCall('fetchRefs', repo, remote.url, ['refs/heads/main:refs/mirror/main']);
    expect(refused.error?.code).toBe('FETCH_REJECTED');
    expect(refused.error?.message).toMatch(/refs\/mirror\/main \(non-fast-forward\)/);
    expect((await noGitCall('fetchRefs', repo, remote.url, ['+refs/heads/*:refs/mirror/*'])).error).toBeUndefined();
    expect(git(repo, 'rev-parse', 'refs/mirror/main')).toBe(commits[1]);
    git(repo, 'fsck', '--strict', '--no-progress');
  });

  it('is-ancestor and merge-base, walked by gitstore, agree with C git across merges', async () => {
    const { repo, commits } = repoWithCommits('gitml-walk-', 'A', 'B');
    git(repo, 'checkout', '-q', '-b', 'side', commits[0]);
    const s1 = commit(repo, 'S1');
    git(repo, 'checkout', '-q', 'main');
    const m1 = commit(repo, 'M1');
    git(repo, 'merge', '-q', '--no-edit', '--no-ff', 'side');
    const merge = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', 'side');
    const s2 = commit(repo, 'S2');
    const all = [...commits, s1, m1, merge, s2];
    const pairs = all.flatMap((a) => all.map((b) => [a, b]));
    const bases = await noGitCalls(pairs.map(([a, b]) => ['mergeBase', repo, a, b]));
    const ancestry = await noGitCalls(pairs.map(([a, b]) => ['isAncestor', repo, a, b]));
    pairs.forEach(([a, b], i) => {
      expect(bases[i].ok, `merge-base ${a} ${b}`).toBe(git(repo, 'merge-base', a, b));
      let byGit = true;
      try {
        git(repo, 'merge-base', '--is-ancestor', a, b);
      } catch {
        byGit = false;
      }
      expect(ancestry[i].ok, `is-ancestor ${a} ${b}`).toBe(byGit);
    });
    expect(ancestry.filter((x) => x.ok === false).length).toBeGreaterThan(0);
  });
});
