/**
 * `objects.header(oid)` / `objects.size(oid)` read an object's size from its header only — loose,
 * packed whole, and packed as OFS or REF deltas — and agree with `git cat-file -s` / `-t`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectStore, streamBlobFromFile, streamBlobToFile } from '@git-ml/gitstore';

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] }).trim();

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

let repo: string;
let objects: ObjectStore;
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'gitml-size-'));
  roots.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  objects = new ObjectStore(join(repo, '.git', 'objects'));
});

/** Every object git knows of, each with what `git cat-file` says about it. */
function catFileAll(): { oid: string; type: string; size: number }[] {
  return git(repo, 'cat-file', '--batch-all-objects', '--batch-check')
    .split('\n')
    .map((l) => l.split(' '))
    .map(([oid, type, size]) => ({ oid, type, size: Number(size) }));
}

/** Versions of a text file that git will store as deltas of each other once packed. */
function commitSimilarBlobs(): void {
  const base = randomBytes(60_000).toString('base64');
  for (let i = 0; i < 6; i++) {
    writeFileSync(join(repo, 'model.txt'), `${base.slice(0, 40_000 + i * 3000)}\nversion ${i}\n${'tail\n'.repeat(i * 100)}`);
    writeFileSync(join(repo, `f${i}.txt`), `small ${i}\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', `v${i}`);
  }
}

describe('objects.size', () => {
  it('reads loose objects of every type and size from their first bytes, as git cat-file does', async () => {
    objects.write('blob', Buffer.alloc(0));
    objects.write('blob', Buffer.from('tiny'));
    objects.write('blob', randomBytes(3 * 1024 * 1024));
    const big = join(repo, 'big.bin');
    writeFileSync(big, randomBytes(5 * 1024 * 1024 + 7));
    await streamBlobFromFile(objects, big); // deflated by zlib, not stored blocks
    commitSimilarBlobs();
    const all = catFileAll();
    expect(all.length).toBeGreaterThan(20);
    for (const o of all) expect(objects.header(o.oid), o.oid).toEqual({ type: o.type, size: o.size });
  });

  it('reads packed objects, OFS_DELTA and REF_DELTA chains included, from entry headers', () => {
    commitSimilarBlobs();
    for (const offsets of ['true', 'false']) {
      git(repo, '-c', `repack.useDeltaBaseOffset=${offsets}`, 'repack', '-a', '-d', '-f', '-q', '--depth=50', '--window=50');
      git(repo, 'prune-packed');
      const verify = git(repo, 'verify-pack', '-v', ...execFileSync('sh', ['-c', 'ls .git/objects/pack/*.idx'], { cwd: repo, encoding: 'utf8' }).trim().split('\n'));
      expect(verify, 'git stored some objects as deltas').toMatch(/chain length = [1-9]/);
      const fresh = new ObjectStore(join(repo, '.git', 'objects'));
      for (const o of catFileAll()) expect(fresh.header(o.oid), `${o.oid} (deltaBaseOffset=${offsets})`).toEqual({ type: o.type, size: o.size });
    }
  });

  it('streams a packed blob stored whole straight from its pack entry, and refuses a corrupt one', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    writeFileSync(join(repo, 'w.bin'), content);
    git(repo, 'add', 'w.bin');
    git(repo, 'commit', '-q', '-m', 'w');
    git(repo, 'repack', '-a', '-d', '-q');
    git(repo, 'prune-packed');
    const oid = git(repo, 'rev-parse', 'HEAD:w.bin');
    const packed = new ObjectStore(join(repo, '.git', 'objects'));
    const entry = packed.packedWholeEntry(oid)!;
    expect(entry).toMatchObject({ type: 'blob', size: content.length });
    const out = join(repo, 'out.bin');
    await streamBlobToFile(packed, oid, out);
    expect(readFileSync(out).equals(content)).toBe(true);

    // flip a byte inside the entry's deflated data: the stream must fail, not write plausible garbage
    const bytes = readFileSync(entry.packPath);
    bytes[entry.start + Math.floor((entry.end - entry.start) / 2)] ^= 0xff;
    chmodSync(entry.packPath, 0o644);
    writeFileSync(entry.packPath, bytes);
    await expect(streamBlobToFile(new ObjectStore(join(repo, '.git', 'objects')), oid, join(repo, 'bad.bin'))).rejects.toThrow();
    expect(existsSync(join(repo, 'bad.bin'))).toBe(false);
  });

  it('names a missing object', () => {
    expect(() => objects.size('0123456789abcdef0123456789abcdef01234567')).toThrow(/0123456789abcdef0123456789abcdef01234567 is missing/);
  });
});
