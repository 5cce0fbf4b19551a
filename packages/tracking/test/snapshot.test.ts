/**
 * Source snapshots of dirty work trees keep code, not data: untracked files are stat'ed first and
 * kept only within the per-file and total caps; what is left out is listed in the run and named in
 * one warning line; `ml.snapshot` / GIT_ML_SNAPSHOT / `.gitmlignore` control it. Real repos, real git.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeClients, caught, git, makeRepo, openClient, removeTempDirs } from '@git-ml/test-support';

afterAll(removeTempDirs);
afterEach(closeClients);

const ENV_KEYS = ['GIT_ML_SNAPSHOT', 'GIT_ML_SNAPSHOT_MAX_FILE_SIZE', 'GIT_ML_SNAPSHOT_MAX_TOTAL_SIZE'];
let warnings: string[] = [];
beforeEach(() => {
  for (const k of ENV_KEYS) delete process.env[k];
  warnings = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (String(chunk).startsWith('git-ml: warning: left')) {
      warnings.push(String(chunk));
      return true;
    }
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const k of ENV_KEYS) delete process.env[k];
});

/** Bytes in files under `dir` (real sizes; .git holds no sparse files). */
function bytesUnder(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    n += d.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

function tagsOf(repo: string, runId: string): Record<string, string> {
  return Object.fromEntries(openClient(repo).getRun(runId).data.tags.map((t) => [t.key, t.value]));
}

function omittedOf(tags: Record<string, string>): { files: { path: string; size: number; mtime: number; blob?: string; reason: string }[]; more: number } {
  return JSON.parse(tags['git-ml.source.omitted']);
}

function filesAt(repo: string, commit: string): string[] {
  return git(repo, 'ls-tree', '-r', '--name-only', commit).split('\n');
}

describe('source snapshots of a dirty work tree', () => {
  it('starts a run in well under a second beside gigabytes of untracked data, and .git does not grow by it', () => {
    const repo = makeRepo();
    mkdirSync(join(repo, 'data'));
    // a real 300 MB file (allocated blocks) and a sparse 4 GB one, neither ignored
    execFileSync('fallocate', ['-l', '300M', join(repo, 'data/train.bin')]);
    execFileSync('truncate', ['-s', '4G', join(repo, 'data/huge.bin')]);
    writeFileSync(join(repo, 'train.py'), 'print("changed")\n');
    writeFileSync(join(repo, 'config.yaml'), 'lr: 0.1\n');
    const head = git(repo, 'rev-parse', 'HEAD');
    const before = bytesUnder(join(repo, '.git'));

    const client = openClient(repo);
    const t0 = performance.now();
    const run = client.createRun('0');
    const ms = performance.now() - t0;
    client.flush();

    expect(ms, `createRun took ${ms.toFixed(0)} ms`).toBeLessThan(1500);
    const grew = bytesUnder(join(repo, '.git')) - before;
    expect(grew, `.git grew by ${grew} bytes`).toBeLessThan(1024 * 1024);

    const tags = tagsOf(repo, run.info.run_id);
    const snapshot = tags['mlflow.source.git.commit'];
    expect(snapshot).not.toBe(head);
    expect(git(repo, 'rev-parse', `${snapshot}^@`)).toBe(head);
    expect(filesAt(repo, snapshot)).toEqual(['README.md', 'config.yaml', 'train.py']);
    expect(git(repo, 'show', `${snapshot}:train.py`)).toBe('print("changed")');
    expect(tags['git-ml.source.snapshot']).toBe('full');
    const omitted = omittedOf(tags);
    expect(omitted.more).toBe(0);
    expect(omitted.files.map((f) => [f.path, f.size, f.reason])).toEqual([
      ['data/huge.bin', 4 * 1024 ** 3, 'file-cap'],
      ['data/train.bin', 300 * 1024 ** 2, 'file-cap'],
    ]);
    expect(omitted.files[1].mtime).toBe(Math.floor(statSync(join(repo, 'data/train.bin')).mtimeMs));
    expect(omitted.files.every((f) => f.blob === undefined)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^git-ml: warning: left 2 untracked files out of the run's source snapshot: data\/huge\.bin \(4\.0 GiB, over the 1\.0 MiB per-file cap\), data\/train\.bin \(300 MiB/);
    expect(warnings[0]).toContain('.gitmlignore');
    expect(warnings[0]).toContain('ml.snapshot');
    expect(warnings[0].trimEnd().split('\n')).toHaveLength(1);
    // the user's state is untouched
    expect(git(repo, 'status', '--porcelain')).toBe(' M train.py\n?? config.yaml\n?? data/');
    execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: repo, stdio: 'pipe' });
  });

  it('keeps small untracked files, smallest first, up to the total cap and identifies the rest by blob id', () => {
    const repo = makeRepo();
    git(repo, 'config', 'ml.snapshotMaxTotalSize', '1m');
    for (const [name, kb] of [['a.txt', 400], ['b.txt', 300], ['c.txt', 500], ['d.txt', 200]] as const) {
      writeFileSync(join(repo, name), Buffer.alloc(kb * 1024, name[0]));
    }
    const run = openClient(repo).createRun('0');
    const tags = tagsOf(repo, run.info.run_id);
    // 200 + 300 + 400 KB fit in 1 MiB; c.txt (500 KB) does not
    expect(filesAt(repo, tags['mlflow.source.git.commit'])).toEqual(['README.md', 'a.txt', 'b.txt', 'd.txt', 'train.py']);
    const [c] = omittedOf(tags).files;
    expect(c).toMatchObject({ path: 'c.txt', size: 500 * 1024, reason: 'total-cap' });
    expect(c.blob).toBe(git(repo, 'hash-object', 'c.txt'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('c.txt (500 KiB, past the 1.0 MiB total cap)');
  });

  it('takes only tracked changes with ml.snapshot=tracked, and nothing with GIT_ML_SNAPSHOT=off (the variable wins)', () => {
    const repo = makeRepo();
    writeFileSync(join(repo, 'train.py'), 'print("v2")\n');
    writeFileSync(join(repo, 'notes.txt'), 'untracked\n');
    git(repo, 'config', 'ml.snapshot', 'tracked');
    const head = git(repo, 'rev-parse', 'HEAD');

    const tracked = tagsOf(repo, openClient(repo).createRun('0').info.run_id);
    expect(tracked['git-ml.source.snapshot']).toBe('tracked');
    expect(filesAt(repo, tracked['mlflow.source.git.commit'])).toEqual(['README.md', 'train.py']);
    expect(omittedOf(tracked).files).toMatchObject([{ path: 'notes.txt', size: 10, reason: 'tracked' }]);
    expect(warnings, 'a mode chosen on purpose does not warn').toEqual([]);

    process.env.GIT_ML_SNAPSHOT = 'off';
    const off = tagsOf(repo, openClient(repo).createRun('0').info.run_id);
    expect(off['git-ml.source.snapshot']).toBe('off');
    expect(off['mlflow.source.git.commit']).toBe(head);
    expect(off['git-ml.source.dirty']).toBeUndefined();
    expect(off['git-ml.source.omitted']).toBeUndefined();
  });

  it('leaves out files matching .gitmlignore (gitignore syntax) silently, and keeps HEAD when nothing else changed', () => {
    const repo = makeRepo();
    writeFileSync(join(repo, '.gitmlignore'), 'data/\n*.bin\n!keep.bin\n');
    git(repo, 'add', '.gitmlignore');
    git(repo, 'commit', '-q', '-m', 'mlignore');
    mkdirSync(join(repo, 'data'));
    execFileSync('fallocate', ['-l', '50M', join(repo, 'data/images.bin')]);
    writeFileSync(join(repo, 'data/labels.csv'), 'a,b\n');
    writeFileSync(join(repo, 'weights.bin'), 'w');
    const head = git(repo, 'rev-parse', 'HEAD');
    const tags = tagsOf(repo, openClient(repo).createRun('0').info.run_id);
    expect(tags['mlflow.source.git.commit']).toBe(head);
    expect(tags['git-ml.source.dirty']).toBe('true');
    expect(tags['git-ml.source.omitted']).toBeUndefined();
    expect(warnings).toEqual([]);

    writeFileSync(join(repo, 'keep.bin'), 'k');
    const kept = tagsOf(repo, openClient(repo).createRun('0').info.run_id);
    expect(filesAt(repo, kept['mlflow.source.git.commit'])).toContain('keep.bin');
    expect(filesAt(repo, kept['mlflow.source.git.commit'])).not.toContain('weights.bin');
  });

  it('sees a same-size edit made in the same second as the commit, even when the snapshot runs a second later (racy git)', async () => {
    // git trusts an index entry whose size and mtime (to the second) match the file unless the
    // entry is as new as the index file itself; the snapshot's private index must keep that rule
    for (let attempt = 0; ; attempt++) {
      const repo = makeRepo();
      const file = join(repo, 'train.py');
      writeFileSync(file, 'lr = 0.1\n');
      git(repo, 'commit', '-q', '-am', 'lr');
      const committed = Math.floor(statSync(file).mtimeMs / 1000);
      writeFileSync(file, 'lr = 0.3\n');
      if (Math.floor(statSync(file).mtimeMs / 1000) !== committed || Math.floor(statSync(join(repo, '.git', 'index')).mtimeMs / 1000) !== committed) {
        if (attempt < 5) continue; // crossed a second boundary: try again
        throw new Error('could not edit within the second of the commit');
      }
      // the snapshot happens in a later second than the edit
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
      const head = git(repo, 'rev-parse', 'HEAD');
      const tags = tagsOf(repo, openClient(repo).createRun('0').info.run_id);
      expect(tags['git-ml.source.dirty']).toBe('true');
      expect(tags['mlflow.source.git.commit']).not.toBe(head);
      expect(git(repo, 'show', `${tags['mlflow.source.git.commit']}:train.py`)).toBe('lr = 0.3');
      return;
    }
  });

  it('rejects a snapshot setting it does not understand, naming the setting and the choices', () => {
    const repo = makeRepo();
    writeFileSync(join(repo, 'x.txt'), 'x');
    git(repo, 'config', 'ml.snapshot', 'everything');
    const err = caught(() => openClient(repo).createRun('0'));
    expect(err.code).toBe('INVALID_SNAPSHOT_SETTING');
    expect(err.message).toContain("git config ml.snapshot = 'everything'");
    expect(err.message).toContain('full, tracked, off');
    git(repo, 'config', 'ml.snapshot', 'full');
    git(repo, 'config', 'ml.snapshotMaxTotalSize', 'lots');
    expect(caught(() => openClient(repo).createRun('0')).message).toBe(
      "Invalid git config ml.snapshotMaxTotalSize = 'lots': expected a size in bytes, optionally with k, m or g (e.g. 1m, 512k). Fix or unset it (see docs/tracking.md, \"Source snapshots\").",
    );
    git(repo, 'config', 'ml.snapshotMaxTotalSize', '20m');
    process.env.GIT_ML_SNAPSHOT_MAX_FILE_SIZE = 'big';
    const err2 = caught(() => openClient(repo).createRun('0'));
    expect(err2.message).toContain("environment variable GIT_ML_SNAPSHOT_MAX_FILE_SIZE = 'big'");
  });
});
