/**
 * Artifacts are git trees and blobs inside the run record: a directory with nested files and a
 * 50 MB file goes in with logArtifacts, lists with MLflow's FileInfo shape, and comes back out
 * byte for byte — also through plain `git show`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { caught, closeClients, fsckStrict, git, gitBuf, makeRepo, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

function sha1File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha1');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => res(h.digest('hex')))
      .on('error', rej);
  });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const BIG = 50 * 1024 * 1024;

describe('artifacts', () => {
  it('logs a directory with nested files and a 50 MB file, lists it, and downloads it byte-equal', async () => {
    const repo = makeRepo();
    const src = tempDir('gitml-artsrc-');
    mkdirSync(join(src, 'sub/deeper'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'top level\n');
    writeFileSync(join(src, 'empty.txt'), '');
    writeFileSync(join(src, 'sub/b.bin'), randomBytes(70_000));
    writeFileSync(join(src, 'sub/deeper/c.json'), JSON.stringify({ nested: true }));
    writeFileSync(join(src, 'sub/run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(src, 'sub/run.sh'), 0o755);
    // 50 MB: random 1 MB blocks, each a little different, so nothing compresses away
    const block = randomBytes(1024 * 1024);
    const big = Buffer.allocUnsafe(BIG);
    for (let i = 0; i < 50; i++) {
      block.writeUInt32BE(i, 0);
      block.copy(big, i * block.length);
    }
    writeFileSync(join(src, 'model.bin'), big);
    const bigSha = createHash('sha1').update(big).digest('hex');

    const c = openClient(repo);
    const run = c.createRun('0', { recordSource: false }).info.run_id;
    await c.logArtifacts(run, src);
    await c.logArtifact(run, join(src, 'a.txt'), 'extra/copy');
    c.logText(run, 'some notes', 'notes/readme.md');

    expect(c.listArtifacts(run)).toEqual(
      expect.arrayContaining([
        { path: 'a.txt', is_dir: false, file_size: 10 },
        { path: 'empty.txt', is_dir: false, file_size: 0 },
        { path: 'model.bin', is_dir: false, file_size: BIG },
        { path: 'sub', is_dir: true, file_size: null },
        { path: 'extra', is_dir: true, file_size: null },
        { path: 'notes', is_dir: true, file_size: null },
      ]),
    );
    expect(c.listArtifacts(run).length).toBe(6);
    expect(c.listArtifacts(run, 'sub')).toEqual(
      expect.arrayContaining([
        { path: 'sub/b.bin', is_dir: false, file_size: 70_000 },
        { path: 'sub/deeper', is_dir: true, file_size: null },
        { path: 'sub/run.sh', is_dir: false, file_size: 18 },
      ]),
    );
    expect(c.listArtifacts(run, 'sub/deeper')).toEqual([{ path: 'sub/deeper/c.json', is_dir: false, file_size: 15 }]);
    expect(c.listArtifacts(run, 'extra/copy')).toEqual([{ path: 'extra/copy/a.txt', is_dir: false, file_size: 10 }]);
    c.close();

    // a fresh client downloads everything, byte-equal
    const c2 = openClient(repo);
    const dst = tempDir('gitml-artdst-');
    const root = await c2.downloadArtifacts(run, '', dst);
    const want = [...filesUnder(src), 'extra/copy/a.txt', 'notes/readme.md'].sort();
    expect(filesUnder(root)).toEqual(want);
    for (const f of filesUnder(src)) {
      if (f === 'model.bin') continue;
      expect(readFileSync(join(root, f)).equals(readFileSync(join(src, f))), f).toBe(true);
    }
    expect(statSync(join(root, 'model.bin')).size).toBe(BIG);
    expect(await sha1File(join(root, 'model.bin'))).toBe(bigSha);
    expect(readFileSync(join(root, 'notes/readme.md'), 'utf8')).toBe('some notes');

    // one sub-directory and one file on their own
    const dst2 = tempDir('gitml-artdst-');
    const sub = await c2.downloadArtifacts(run, 'sub', dst2);
    expect(filesUnder(sub)).toEqual(['b.bin', 'deeper/c.json', 'run.sh']);
    expect(readFileSync(join(sub, 'b.bin')).equals(readFileSync(join(src, 'sub/b.bin')))).toBe(true);
    const one = await c2.downloadArtifacts(run, 'sub/deeper/c.json', tempDir('gitml-artdst-'));
    expect(readFileSync(one, 'utf8')).toBe('{"nested":true}');

    // plain git sees the same files in the run record, with the executable bit
    const ref = `refs/ml/runs/0/${run}`;
    expect(c2.getRun(run).info.artifact_uri).toContain(ref);
    expect(gitBuf(repo, ['cat-file', 'blob', `${ref}:artifacts/sub/b.bin`]).equals(readFileSync(join(src, 'sub/b.bin')))).toBe(true);
    expect(git(repo, 'cat-file', '-s', `${ref}:artifacts/model.bin`)).toBe(String(BIG));
    expect(git(repo, 'rev-parse', `${ref}:artifacts/model.bin`)).toBe(git(repo, 'hash-object', join(src, 'model.bin')));
    expect(git(repo, 'ls-tree', `${ref}:artifacts/sub`, 'run.sh')).toMatch(/^100755 blob /);

    // unknown paths are reported, and paths cannot escape the artifact root
    const e = await c2.downloadArtifacts(run, 'nope', dst2).then(() => null, (x: Error & { code?: string }) => x);
    expect(e?.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(e?.message).toContain('nope');
    expect(caught(() => c2.listArtifacts(run, '../outside')).code).toBe('INVALID_PARAMETER_VALUE');
    fsckStrict(repo);
  }, 60_000);
});

describe('artifacts from streams', () => {
  it('logArtifactStream stores an upload of known length at its path, listed with its size and read back by git', async () => {
    const { Readable } = await import('node:stream');
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun('0', { recordSource: false }).info.run_id;
    const data = randomBytes(3 << 20);
    await c.logArtifactStream(run, Readable.from([data.subarray(0, 7), data.subarray(7)]), data.length, 'model/weights.bin');
    expect(c.listArtifacts(run, 'model')).toEqual([{ path: 'model/weights.bin', is_dir: false, file_size: data.length }]);
    await expect(c.logArtifactStream(run, Readable.from([]), 0, '../x')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(c.logArtifactStream(run, Readable.from([data]), data.length + 1, 'short.bin')).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    c.flush();
    expect(gitBuf(repo, ['show', `refs/ml/runs/0/${run}:artifacts/model/weights.bin`]).equals(data)).toBe(true);
    expect(c.listArtifacts(run).map((a) => a.path)).toEqual(['model']);
  });
});
