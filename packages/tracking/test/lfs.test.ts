/**
 * Big artifacts with Git LFS, against a real `git lfs` and a real file remote: with `ml.lfs` on,
 * artifacts over the threshold are LFS pointers in the run's tree with the content in
 * `.git/lfs/objects` (as `git lfs` stores them); push uploads those of every commit it sends (old
 * records too), walking only the commits the remote lacks; a clone that only fetched the
 * refs lists them without downloading and fetches the content on demand. Without it, git-ml says
 * how to turn it on.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GitStore, type LfsPushWalk } from '@git-ml/gitstore';
import { push } from '@git-ml/tracking';
import { bareRemote, caught, closeClients, git, gitBuf, hasGitLfs, lfsObjects, LFS_SIZED, makeRepo, openClient, randomFile, removeTempDirs, tempDir, useLfs } from '@git-ml/test-support';

afterAll(removeTempDirs);
afterEach(closeClients);

const MB = 1024 * 1024;

let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  delete process.env.GIT_ML_LFS;
  delete process.env.GIT_ML_LFS_THRESHOLD;
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (String(chunk).startsWith('git-ml: ')) {
      stderr.push(String(chunk));
      return true;
    }
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write);
});
afterEach(() => vi.restoreAllMocks());

function runRef(repo: string, runId: string): string {
  return git(repo, 'for-each-ref', '--format=%(refname)', `refs/ml/runs/*/${runId}`);
}

/** A repository with no work of its own that fetched `remote`'s runs: pointers only, no LFS content. */
function fetchedClone(remote: string): string {
  const clone = join(tempDir(), 'clone');
  execFileSync('git', ['clone', '-q', remote, clone], { stdio: 'pipe' });
  git(clone, 'fetch', '-q', 'origin', 'refs/ml/*:refs/ml/*');
  return clone;
}

describe.skipIf(!hasGitLfs())('artifacts with Git LFS (needs the git-lfs binary: apt install git-lfs)', () => {
  it('stores artifacts over the threshold as LFS pointers, pushes their content, and a metrics-only clone fetches it on demand', async () => {
    const repo = makeRepo();
    useLfs(repo, '1m');
    const remote = bareRemote(repo);
    const src = tempDir();
    const weights = randomBytes(3 * MB);
    writeFileSync(join(src, 'weights.bin'), weights);
    mkdirSync(join(src, 'model'));
    writeFileSync(join(src, 'model', 'MLmodel'), 'flavors: {}\n');
    writeFileSync(join(src, 'model', 'big.bin'), randomBytes(2 * MB));

    const client = openClient(repo);
    const run = client.createRun('0').info.run_id;
    await client.logArtifact(run, join(src, 'weights.bin'));
    await client.logArtifacts(run, join(src, 'model'), 'model');
    client.flush();

    const ref = runRef(repo, run);
    const pointer = git(repo, 'show', `${ref}:artifacts/weights.bin`);
    expect(pointer).toMatch(/^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:[0-9a-f]{64}\nsize 3145728$/);
    expect(git(repo, 'show', `${ref}:artifacts/model/MLmodel`)).toBe('flavors: {}');
    // git lfs itself sees both pointers in the run's tree
    expect(git(repo, 'lfs', 'ls-files', '--name-only', ref).split('\n').sort()).toEqual(['artifacts/model/big.bin', 'artifacts/weights.bin']);
    expect(lfsObjects(repo)).toHaveLength(2);
    expect(client.listArtifacts(run, '')).toContainEqual({ path: 'weights.bin', is_dir: false, file_size: 3 * MB });
    const back = tempDir();
    await client.downloadArtifacts(run, 'weights.bin', back);
    expect(readFileSync(join(back, 'weights.bin')).equals(weights)).toBe(true);
    expect(stderr).toEqual([]);

    push(client, 'origin');
    expect(lfsObjects(remote)).toEqual(lfsObjects(repo));

    // a clone that fetches the runs gets pointers only: no weights downloaded
    const clone = fetchedClone(remote);
    expect(lfsObjects(clone)).toEqual([]);
    const other = openClient(clone);
    expect(other.listArtifacts(run, 'model')).toContainEqual({ path: 'model/big.bin', is_dir: false, file_size: 2 * MB });
    expect(lfsObjects(clone)).toEqual([]);
    const got = tempDir();
    await other.downloadArtifacts(run, 'weights.bin', got);
    expect(readFileSync(join(got, 'weights.bin')).equals(weights)).toBe(true);
    expect(lfsObjects(clone)).toHaveLength(1);

    // pushed elsewhere, the run's other LFS object (never downloaded here) cannot go up: one warning
    // says so and what to do (git-lfs's own pre-push hook, installed by `git clone` here, then refuses the push)
    const elsewhere = bareRemote(clone, 'elsewhere');
    stderr = [];
    try {
      push(other, 'elsewhere');
    } catch {
      // refused by git-lfs's hook: the content this clone holds went up first all the same
    }
    expect(stderr.filter((l) => l.includes('warning'))).toHaveLength(1);
    expect(stderr[0]).toMatch(/^git-ml: warning: 1 Git LFS object the pushed commits point to is not in this clone \([0-9a-f]{12}\), so it was not uploaded to elsewhere; .*git lfs fetch --all/);
    expect(lfsObjects(elsewhere)).toHaveLength(1);
  });

  it('says what to do when the content is neither here nor on the remote', async () => {
    const repo = makeRepo();
    useLfs(repo);
    const { file } = randomFile();
    const client = openClient(repo);
    const run = client.createRun('0').info.run_id;
    await client.logArtifact(run, file);
    client.flush();
    execFileSync('rm', ['-rf', join(repo, '.git', 'lfs')]);
    const err = await client.downloadArtifacts(run, 'w.bin', tempDir()).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('LFS_OBJECT_MISSING');
    expect(err?.message).toMatch(/^w\.bin is stored with Git LFS \(sha256 [0-9a-f]{12}…, 4096 bytes\) and its content is not in .*, and git lfs could not download it: .*Check that the remote has it/);
  });

  it("push uploads the LFS content of every record it sends, so a fresh clone reads an overwritten artifact's old version", async () => {
    const repo = makeRepo();
    useLfs(repo);
    const remote = bareRemote(repo);
    const v1 = randomFile('w.bin');
    const v2 = randomFile('w.bin');
    const client = openClient(repo);
    const run = client.createRun('0').info.run_id;
    await client.logArtifact(run, v1.file);
    client.flush();
    const ref = runRef(repo, run);
    const old = git(repo, 'rev-parse', ref);
    await client.logArtifact(run, v2.file);
    client.flush();
    // the overwrite is a new record; the old one, with the old pointer, stays in the run's history
    expect(git(repo, 'merge-base', '--is-ancestor', old, ref)).toBe('');
    expect(git(repo, 'rev-parse', `${old}:artifacts/w.bin`)).not.toBe(git(repo, 'rev-parse', `${ref}:artifacts/w.bin`));

    push(client, 'origin');
    expect(lfsObjects(remote)).toHaveLength(2);
    expect(lfsObjects(remote)).toEqual(lfsObjects(repo));

    const clone = fetchedClone(remote);
    const pointer = gitBuf(clone, ['show', `${old}:artifacts/w.bin`]);
    expect(gitBuf(clone, ['lfs', 'smudge', '--', 'w.bin'], pointer).equals(v1.content)).toBe(true);
    const latest = tempDir();
    await openClient(clone).downloadArtifacts(run, 'w.bin', latest);
    expect(readFileSync(join(latest, 'w.bin')).equals(v2.content)).toBe(true);
  });

  it('a push walks only the commits the remote lacks: one new record is one commit at 10× and at 100× the history', async () => {
    const walks = vi.spyOn(GitStore.prototype, 'uploadLfsObjects');
    const lastWalk = () => walks.mock.results.at(-1)!.value as LfsPushWalk;
    const figures: string[] = [];
    for (const records of [10, 100]) {
      const repo = makeRepo();
      useLfs(repo);
      const remote = bareRemote(repo);
      const client = openClient(repo);
      const run = client.createRun('0').info.run_id;
      for (let i = 0; i < records; i++) {
        await client.logArtifact(run, randomFile().file);
        client.flush();
      }
      push(client, 'origin');
      expect(lastWalk().commits).toBeGreaterThan(records);
      expect(lastWalk().oids).toHaveLength(records);
      // someone else pushed a commit this clone never saw: the walk skips what it cannot name
      const other = makeRepo();
      git(other, 'commit', '-q', '--allow-empty', '-m', 'elsewhere');
      git(other, 'push', '-q', remote, 'HEAD:refs/heads/elsewhere');

      await client.logArtifact(run, randomFile().file);
      client.flush();
      const t0 = performance.now();
      const r = push(client, 'origin');
      const ms = performance.now() - t0;
      expect(r.rejected).toEqual([]);
      expect(lastWalk().commits).toBe(1);
      expect(lastWalk().oids).toHaveLength(1);
      expect(lfsObjects(remote)).toEqual(lfsObjects(repo));
      figures.push(`${records} records: ${ms.toFixed(0)} ms`);
    }
    console.info(`push of one new LFS record after ${figures.join(', ')}`);
  });
});

describe('big artifacts without Git LFS', () => {
  it('stores them in git and says once how to turn Git LFS on; ml.lfs=false silences it', async () => {
    const repo = makeRepo();
    git(repo, 'config', 'ml.lfsThreshold', '1m');
    const src = tempDir();
    writeFileSync(join(src, 'a.bin'), randomBytes(2 * MB));
    writeFileSync(join(src, 'b.bin'), randomBytes(2 * MB));
    const client = openClient(repo);
    const run = client.createRun('0').info.run_id;
    await client.logArtifact(run, join(src, 'a.bin'));
    await client.logArtifact(run, join(src, 'b.bin'));
    client.flush();
    expect(git(repo, 'cat-file', '-s', `${runRef(repo, run)}:artifacts/a.bin`)).toBe(String(2 * MB));
    expect(lfsObjects(repo)).toEqual([]);
    // one note (not one per file), naming the file and the setting
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^git-ml: note: a\.bin \(2\.0 MiB\) is stored in git.*`git config ml\.lfs true` stores artifacts of 1\.0 MiB and more with Git LFS instead/);

    const quiet = makeRepo();
    git(quiet, 'config', 'ml.lfs', 'false');
    const q = openClient(quiet);
    await q.logArtifact(q.createRun('0').info.run_id, join(src, 'a.bin'));
    expect(stderr).toHaveLength(1);
  });

  it('with ml.lfs on but no git-lfs binary, still stores the artifact in git and names what to install', async () => {
    const repo = makeRepo();
    useLfs(repo);
    // a PATH with git but without git-lfs
    const bin = tempDir();
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      const { file } = randomFile();
      const client = openClient(repo);
      const run = client.createRun('0').info.run_id;
      await client.logArtifact(run, file);
      client.flush();
      expect(git(repo, 'cat-file', '-s', `${runRef(repo, run)}:artifacts/w.bin`)).toBe(String(LFS_SIZED));
    } finally {
      process.env.PATH = path;
    }
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^git-ml: warning: ml\.lfs is on but git-lfs is not installed, so w\.bin \(4\.0 KiB\) was stored in git\. Install git-lfs/);
  });

  it('rejects an ml.lfs value it does not understand, naming the setting', async () => {
    const repo = makeRepo();
    git(repo, 'config', 'ml.lfs', 'maybe');
    const { file } = randomFile();
    const client = openClient(repo);
    const run = client.createRun('0').info.run_id;
    const err = await client.logArtifact(run, file).then(() => null, (e: Error) => e);
    expect(err?.message).toBe(`Invalid git config ml.lfs = 'maybe': expected true or false. Fix or unset it (see docs/tracking.md, "Big artifacts and Git LFS").`);
    expect(caught(() => {
      throw err;
    }).code).toBe('INVALID_SNAPSHOT_SETTING');
  });
});
