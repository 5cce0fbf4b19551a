/**
 * ObjectStore against real repositories: what git-ml writes must pass `git fsck --strict`, print
 * with `git cat-file -p`, hash the way `git hash-object` does, and still read after `git gc`
 * moved it into a packfile (with deltas).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { GIT_ENV, git } from '@git-ml/test-support';
import { GitStore, ObjectStore, RefStore, hashObject, streamBlobFromFile, streamBlobFromStream, streamBlobToFile, type Signature } from '@git-ml/gitstore';

function gitBuf(cwd: string, args: string[], input?: Buffer | string): Buffer {
  return execFileSync('git', args, { cwd, env: GIT_ENV, input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
}
function git(cwd: string, ...args: string[]): string {
  return gitBuf(cwd, args).toString('utf8').trim();
}

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

let repo: string;
let gitDir: string;
let objects: ObjectStore;
let refs: RefStore;

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'gitml-objects-'));
  roots.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  gitDir = join(repo, '.git');
  objects = new ObjectStore(join(gitDir, 'objects'));
  refs = new RefStore(gitDir);
});

function fsckStrict(): string {
  // non-zero exit (a throw) on any problem; --strict makes format warnings errors
  const out = execFileSync('git', ['fsck', '--strict', '--no-progress', '--full'], { cwd: repo, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

const who = (tz: number): Signature => ({ name: 'Ada Lovelace', email: 'ada@example.com', timestamp: 1_700_000_000, timezoneOffset: tz });

/** Writes a small history: blobs, nested trees (exec bit, symlink), two commits and an annotated tag. */
function writeSample() {
  const text = objects.write('blob', Buffer.from('hello\nworld\n'));
  const empty = objects.write('blob', Buffer.alloc(0));
  const binary = objects.write('blob', Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]));
  const script = objects.write('blob', Buffer.from('#!/bin/sh\necho hi\n'));
  const link = objects.write('blob', Buffer.from('../a.txt'));
  const utf8 = objects.write('blob', Buffer.from('αβγ ✓\n'));
  const sub = objects.writeTree([
    { mode: '100755', name: 'run.sh', oid: script },
    { mode: '120000', name: 'link', oid: link },
    { mode: '100644', name: 'empty', oid: empty },
  ]);
  // entry order deliberately unsorted: "a-b" < "a.txt" < "a/" (dir sorts as "a/") < "a0"
  const root = objects.writeTree([
    { mode: '100644', name: 'a0', oid: binary },
    { mode: '40000', name: 'a', oid: sub },
    { mode: '100644', name: 'a.txt', oid: text },
    { mode: '100644', name: 'a-b', oid: utf8 },
  ]);
  const c1 = objects.writeCommit({ tree: root, parents: [], author: who(-270), committer: who(-270), message: 'first\n\nbody line\nTrailer: x' });
  const c2 = objects.writeCommit({ tree: sub, parents: [c1], author: who(60), committer: who(0), message: 'second\n' });
  const tag = objects.writeTag({ object: c2, type: 'commit', tag: 'v1', tagger: who(330), message: 'release v1\n' });
  refs.update([
    { ref: 'refs/ml/sample', value: c2, expect: null },
    { ref: 'refs/tags/v1', value: tag, expect: null },
  ]);
  return { text, empty, binary, script, link, utf8, sub, root, c1, c2, tag };
}

describe('objects written by ObjectStore', () => {
  it('pass `git fsck --strict` and hash exactly as `git hash-object`', () => {
    const s = writeSample();
    fsckStrict();
    expect(git(repo, 'hash-object', '--stdin', '-w')).toBe(hashObject('blob', Buffer.alloc(0))); // the empty blob
    expect(s.empty).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    expect(gitBuf(repo, ['hash-object', '--stdin'], 'hello\nworld\n').toString().trim()).toBe(s.text);
    for (const [oid, type] of [
      [s.text, 'blob'],
      [s.sub, 'tree'],
      [s.root, 'tree'],
      [s.c1, 'commit'],
      [s.c2, 'commit'],
      [s.tag, 'tag'],
    ]) {
      expect(git(repo, 'cat-file', '-t', oid)).toBe(type);
    }
  });

  it('print with `git cat-file -p` as what was written', () => {
    const s = writeSample();
    expect(gitBuf(repo, ['cat-file', '-p', s.binary]).equals(Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]))).toBe(true);
    expect(gitBuf(repo, ['cat-file', '-p', s.utf8]).toString('utf8')).toBe('αβγ ✓\n');
    expect(git(repo, 'cat-file', '-p', s.root)).toBe(
      [
        `100644 blob ${s.utf8}\ta-b`,
        `100644 blob ${s.text}\ta.txt`,
        `040000 tree ${s.sub}\ta`,
        `100644 blob ${s.binary}\ta0`,
      ].join('\n'),
    );
    expect(git(repo, 'cat-file', '-p', s.sub)).toBe(
      [`100644 blob ${s.empty}\tempty`, `120000 blob ${s.link}\tlink`, `100755 blob ${s.script}\trun.sh`].join('\n'),
    );
    expect(git(repo, 'cat-file', '-p', s.c1)).toBe(
      [`tree ${s.root}`, 'author Ada Lovelace <ada@example.com> 1700000000 -0430', 'committer Ada Lovelace <ada@example.com> 1700000000 -0430', '', 'first', '', 'body line', 'Trailer: x'].join('\n'),
    );
    expect(git(repo, 'cat-file', '-p', s.c2)).toContain(`parent ${s.c1}\nauthor Ada Lovelace <ada@example.com> 1700000000 +0100\ncommitter Ada Lovelace <ada@example.com> 1700000000 +0000`);
    expect(git(repo, 'cat-file', '-p', s.tag)).toBe(
      [`object ${s.c2}`, 'type commit', 'tag v1', 'tagger Ada Lovelace <ada@example.com> 1700000000 +0530', '', 'release v1'].join('\n'),
    );
    // plain porcelain reads them too
    expect(git(repo, 'log', '--format=%s', 'refs/ml/sample')).toBe('second\nfirst');
    expect(git(repo, 'show', 'refs/ml/sample~1:a.txt')).toBe('hello\nworld');
    expect(git(repo, 'describe', '--tags', 'refs/ml/sample')).toBe('v1');
    expect(git(repo, 'for-each-ref', '--format=%(objecttype) %(*objectname)', 'refs/tags/v1')).toBe(`tag ${s.c2}`);
    // ...and ObjectStore reads back exactly what it wrote
    expect(objects.readCommit(s.c1).message).toBe('first\n\nbody line\nTrailer: x\n');
    expect(objects.readCommit(s.c1).author).toEqual(who(-270));
    expect(objects.readTag(s.tag)).toEqual({ object: s.c2, type: 'commit', tag: 'v1', tagger: who(330), message: 'release v1\n' });
  });

  it('reads objects written by git itself', () => {
    writeFileSync(join(repo, 'f.txt'), 'from git\n');
    git(repo, 'add', 'f.txt');
    git(repo, 'commit', '-q', '-m', 'by git');
    const head = git(repo, 'rev-parse', 'HEAD');
    const c = objects.readCommit(head);
    expect(c.message).toBe('by git\n');
    const tree = objects.readTree(c.tree);
    expect(tree).toEqual([{ mode: '100644', name: 'f.txt', oid: git(repo, 'rev-parse', 'HEAD:f.txt') }]);
    expect(objects.readBlob(tree[0].oid).toString()).toBe('from git\n');
    expect(GitStore.open(repo).head()).toEqual({ branch: 'main', commit: head });
  });

  it('writes many objects as a packfile that git verifies and reads', () => {
    const blobs = Array.from({ length: 300 }, (_, i) => ({ type: 'blob' as const, data: Buffer.from(`blob number ${i}\n${'x'.repeat(i)}`) }));
    const oids = objects.writeMany(blobs);
    const tree = objects.writeTree(oids.map((oid, i) => ({ mode: '100644' as const, name: `f${i}`, oid })));
    const commit = objects.writeCommit({ tree, parents: [], author: who(0), committer: who(0), message: 'many\n' });
    refs.update([{ ref: 'refs/ml/many', value: commit, expect: null }]);
    const packs = readdirSync(join(gitDir, 'objects/pack')).filter((f) => f.endsWith('.pack'));
    expect(packs.length).toBe(1);
    // none of the 300 blobs was written loose
    expect(oids.filter((o) => existsSync(join(gitDir, 'objects', o.slice(0, 2), o.slice(2))))).toEqual([]);
    for (const p of packs) git(repo, 'verify-pack', join(gitDir, 'objects/pack', p));
    fsckStrict();
    expect(git(repo, 'cat-file', '-p', `refs/ml/many:f299`)).toBe(`blob number 299\n${'x'.repeat(299)}`);
    expect(new ObjectStore(join(gitDir, 'objects')).readBlob(oids[7]).toString()).toBe(`blob number 7\n${'x'.repeat(7)}`);
  });

  it('streams a file into a blob that git reads byte for byte, and back out', async () => {
    const file = join(repo, 'big.bin');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(file, data);
    const oid = await streamBlobFromFile(objects, file);
    expect(oid).toBe(git(repo, 'hash-object', file));
    const out = gitBuf(repo, ['cat-file', 'blob', oid]);
    expect(createHash('sha1').update(out).digest('hex')).toBe(createHash('sha1').update(data).digest('hex'));
    const back = join(repo, 'back.bin');
    await streamBlobToFile(objects, oid, back);
    expect(readFileSync(back).equals(data)).toBe(true);
    fsckStrict();
  });
});

describe('blobs from streams', () => {
  it('stores a stream of a known length as the blob git hash-object computes, and refuses a wrong length leaving nothing behind', async () => {
    const data = randomBytes(1 << 20);
    const file = join(repo, 'data.bin');
    writeFileSync(file, data);
    const oid = await streamBlobFromStream(objects, Readable.from([data.subarray(0, 1000), data.subarray(1000)]), data.length);
    expect(oid).toBe(git(repo, 'hash-object', file));
    expect(git(repo, 'cat-file', '-s', oid)).toBe(String(data.length));
    for (const size of [data.length + 1, data.length - 1]) {
      await expect(streamBlobFromStream(objects, Readable.from([data]), size)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    }
    expect(readdirSync(join(gitDir, 'objects')).filter((f) => f.startsWith('tmp_obj'))).toEqual([]);
  });
});

describe('object sizes', () => {
  it('reads the size of a loose blob from its header, equal to git cat-file -s, and of packed ones too', async () => {
    const file = join(repo, 'big.bin');
    writeFileSync(file, randomBytes(3 << 20));
    const big = await streamBlobFromFile(objects, file);
    const small = objects.write('blob', Buffer.from('hello'));
    const empty = objects.write('blob', Buffer.alloc(0));
    for (const oid of [big, small, empty]) expect(objects.size(oid)).toBe(Number(git(repo, 'cat-file', '-s', oid)));
    const tree = objects.writeTree([{ mode: '100644', name: 'big.bin', oid: big }]);
    refs.update([{ ref: 'refs/ml/sizes', value: objects.writeCommit({ tree, parents: [], author: who(0), committer: who(0), message: 'sizes\n' }) }]);
    git(repo, 'gc', '-q', '--prune=now');
    expect(new ObjectStore(join(gitDir, 'objects')).size(big)).toBe(3 << 20);
  });
});

describe('after `git gc`', () => {
  it('reads every object from the packfile once the loose files are gone (deltas included)', () => {
    const s = writeSample();
    // versions of a large text that git will store as deltas of each other
    const base = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'abcdefgh'.repeat(3)}`).join('\n');
    const versions: { oid: string; text: string }[] = [];
    let parent = s.c2;
    for (let v = 0; v < 8; v++) {
      const text = `${base}\nversion ${v}\n${base.slice(v * 100, v * 100 + 500)}`;
      const oid = objects.write('blob', Buffer.from(text));
      versions.push({ oid, text });
      const tree = objects.writeTree([{ mode: '100644', name: 'model.txt', oid }]);
      parent = objects.writeCommit({ tree, parents: [parent], author: who(0), committer: who(0), message: `v${v}\n` });
    }
    refs.update([{ ref: 'refs/ml/sample', value: parent }]);
    const staleView = new ObjectStore(join(gitDir, 'objects')); // opened before gc: its pack list is stale
    staleView.readBlob(s.text);

    git(repo, 'gc', '-q', '--aggressive');
    expect(git(repo, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    const all = [s.text, s.empty, s.binary, s.script, s.link, s.utf8, s.sub, s.root, s.c1, s.c2, s.tag, ...versions.map((v) => v.oid)];
    for (const oid of all) expect(existsSync(join(gitDir, 'objects', oid.slice(0, 2), oid.slice(2))), oid).toBe(false);
    // git did store some of the versions as deltas
    const pack = readdirSync(join(gitDir, 'objects/pack')).find((f) => f.endsWith('.pack'))!;
    const verbose = git(repo, 'verify-pack', '-v', join(gitDir, 'objects/pack', pack));
    expect(versions.some((v) => new RegExp(`^${v.oid} blob +\\d+ \\d+ \\d+ \\d+ [0-9a-f]{40}$`, 'm').test(verbose))).toBe(true);

    for (const store of [new ObjectStore(join(gitDir, 'objects')), staleView, objects]) {
      for (const v of versions) expect(store.readBlob(v.oid).toString()).toBe(v.text);
      expect(store.readBlob(s.binary).equals(Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]))).toBe(true);
      expect(store.readTree(s.root).map((e) => e.name)).toEqual(['a-b', 'a.txt', 'a', 'a0']);
      expect(store.readCommit(s.c1).message).toBe('first\n\nbody line\nTrailer: x\n');
      expect(store.readTag(s.tag).object).toBe(s.c2);
      expect(store.has(s.tag)).toBe(true);
    }
    expect(objects.tryRead('0'.repeat(40))).toBeNull();
    fsckStrict();
  });

  it('keeps writing loose objects after `git gc` removed the fan-out directory the store had created', () => {
    const first = objects.write('blob', Buffer.from('first object\n'));
    const tree = objects.writeTree([{ mode: '100644', name: 'f', oid: first }]);
    const commit = objects.writeCommit({ tree, parents: [], author: who(0), committer: who(0), message: 'c\n' });
    refs.update([{ ref: 'refs/ml/gc', value: commit, expect: null }]);
    git(repo, 'gc', '-q');
    const fanout = join(gitDir, 'objects', first.slice(0, 2));
    expect(existsSync(fanout)).toBe(false); // git packed the object and removed the emptied directory
    // another object for the same fan-out directory, written by the same (caching) store
    let n = 0;
    let data: Buffer;
    do data = Buffer.from(`second object ${n++}\n`);
    while (hashObject('blob', data).slice(0, 2) !== first.slice(0, 2));
    const second = objects.write('blob', data);
    expect(second.slice(0, 2)).toBe(first.slice(0, 2));
    expect(gitBuf(repo, ['cat-file', 'blob', second]).equals(data)).toBe(true);
    expect(objects.readBlob(first).toString()).toBe('first object\n');
  });
});

