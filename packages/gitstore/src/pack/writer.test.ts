import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32Fallback } from './format.js';
import { encodeIdxV2 } from './idx.js';
import { hashObject, mergePacks, PackStore, writePack, type GitObject } from './index.js';

const tmpRoots: string[] = [];
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function git(cwd: string, args: string[], input?: string | Buffer): Buffer {
  return execFileSync('git', args, { cwd, input, env: GIT_ENV, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
}

function bareRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitml-packw-'));
  tmpRoots.push(dir);
  git(dir, ['init', '-q', '--bare']);
  return dir;
}

function tree(entries: { name: string; oid: string }[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return Buffer.concat(sorted.map((e) => Buffer.concat([Buffer.from(`100644 ${e.name}\0`), Buffer.from(e.oid, 'hex')])));
}

afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

describe('writePack', () => {
  it('writes a pack that git verifies, fscks --strict and reads, and PackStore reads back', () => {
    const repo = bareRepo();
    const blobs: GitObject[] = Array.from({ length: 3000 }, (_, i) => ({
      type: 'blob',
      data: Buffer.from(`blob number ${i}\n${'payload '.repeat(i % 40)}\n`),
    }));
    blobs.push({ type: 'blob', data: Buffer.alloc(0) });
    const blobOids = blobs.map((b) => hashObject(b.type, b.data));
    const root = tree(blobOids.slice(0, 500).map((oid, i) => ({ name: `file-${i}.txt`, oid })));
    const treeOid = hashObject('tree', root);
    const commit = Buffer.from(`tree ${treeOid}\nauthor T <t@example.com> 1700000000 +0000\ncommitter T <t@example.com> 1700000000 +0000\n\nmessage\n`);
    const input: GitObject[] = [...blobs, { type: 'tree', data: root }, { type: 'commit', data: commit }, blobs[7], blobs[7]];

    const { packPath, oids } = writePack(join(repo, 'objects'), input);
    const commitOid = oids[blobs.length + 1];
    expect(oids).toHaveLength(input.length);
    expect(oids[blobs.length + 2]).toBe(oids[7]);
    expect(git(repo, ['hash-object', '--stdin'], blobs[42].data).toString().trim()).toBe(oids[42]);

    const pack = readFileSync(packPath);
    expect(packPath).toBe(join(repo, 'objects', 'pack', `pack-${pack.subarray(-20).toString('hex')}.pack`));
    expect(readdirSync(join(repo, 'objects', 'pack')).sort()).toEqual([
      packPath.split('/').pop()?.replace('.pack', '.idx'),
      packPath.split('/').pop(),
    ]);

    const verify = git(repo, ['verify-pack', '-v', packPath.replace(/\.pack$/, '.idx')]).toString();
    expect(verify).toContain(`non delta: ${blobs.length + 2} objects`);
    git(repo, ['update-ref', 'refs/heads/main', commitOid]);
    git(repo, ['fsck', '--strict', '--no-dangling']);
    expect(git(repo, ['cat-file', '-p', commitOid]).toString()).toBe(commit.toString());
    expect(git(repo, ['cat-file', '-p', `${commitOid}:file-42.txt`])).toEqual(blobs[42].data);

    const all = git(repo, ['cat-file', '--batch'], `${oids.join('\n')}\n`);
    const store = new PackStore(join(repo, 'objects'));
    const bad: string[] = [];
    let pos = 0;
    input.forEach((obj, i) => {
      const nl = all.indexOf(10, pos);
      const header = all.toString('latin1', pos, nl);
      const gitData = all.subarray(nl + 1, nl + 1 + obj.data.length);
      pos = nl + 2 + obj.data.length;
      const ours = store.read(oids[i]);
      const ok = header === `${oids[i]} ${obj.type} ${obj.data.length}` && gitData.equals(obj.data);
      if (!ok || ours?.type !== obj.type || !ours.data.equals(obj.data)) bad.push(oids[i]);
    });
    expect(bad).toEqual([]);
  }, 60_000);

  it('produces the same index git index-pack computes, also with 64-bit offsets', () => {
    const repo = bareRepo();
    const objects: GitObject[] = Array.from({ length: 200 }, (_, i) => ({ type: 'blob', data: Buffer.from(`x${i}\n`) }));
    const { packPath, oids } = writePack(join(repo, 'objects'), objects);
    const idxPath = packPath.replace(/\.pack$/, '.idx');
    const ours = readFileSync(idxPath);
    const theirs = join(repo, 'git.idx');
    git(repo, ['index-pack', '-o', theirs, packPath]);
    expect(ours.equals(readFileSync(theirs))).toBe(true);

    // Rebuild the index with every offset above 0x40 in the 64-bit table and compare with git's.
    git(repo, ['index-pack', '--index-version=2,0x40', '-o', theirs, packPath]);
    const pack = readFileSync(packPath);
    const rows = git(repo, ['verify-pack', '-v', idxPath])
      .toString()
      .split('\n')
      .map((l) => l.split(/ +/))
      .filter((r) => /^[0-9a-f]{40}$/.test(r[0]));
    expect(rows).toHaveLength(200);
    const big = encodeIdxV2(
      rows.map((r) => {
        const offset = Number(r[4]);
        return { oid: Buffer.from(r[0], 'hex'), crc: zlib.crc32(pack.subarray(offset, offset + Number(r[3]))), offset };
      }),
      pack.subarray(-20),
      0x40,
    );
    expect(big.length).toBeGreaterThan(ours.length + 150 * 8);
    expect(big.equals(readFileSync(theirs))).toBe(true);
    unlinkSync(idxPath);
    writeFileSync(idxPath, big);
    git(repo, ['verify-pack', idxPath]);
    const store = new PackStore(join(repo, 'objects'));
    expect(oids.filter((oid, i) => !store.read(oid)?.data.equals(objects[i].data))).toEqual([]);
  });

  it('round-trips a large incompressible blob', () => {
    const repo = bareRepo();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const { packPath, oids } = writePack(join(repo, 'objects'), [{ type: 'blob', data }]);
    git(repo, ['verify-pack', packPath.replace(/\.pack$/, '.idx')]);
    expect(git(repo, ['cat-file', 'blob', oids[0]]).equals(data)).toBe(true);
    expect(new PackStore(join(repo, 'objects')).read(oids[0])?.data.equals(data)).toBe(true);
  });

  it('writes nothing for an empty input and leaves no temp files', () => {
    const repo = bareRepo();
    expect(writePack(join(repo, 'objects'), [])).toEqual({ packPath: '', oids: [] });
    expect(readdirSync(join(repo, 'objects', 'pack'))).toEqual([]);
  });

  it('rejects unknown object types without leaving temp files behind', () => {
    const repo = bareRepo();
    for (const type of ['note', 'constructor']) {
      const bad = [{ type: 'blob', data: Buffer.from('ok') }, { type, data: Buffer.from('x') }] as unknown as GitObject[];
      expect(() => writePack(join(repo, 'objects'), bad)).toThrow(/not a git object type/);
    }
    expect(readdirSync(join(repo, 'objects', 'pack'))).toEqual([]);
  });

  it('writing the same objects twice yields the same pack without error', () => {
    const repo = bareRepo();
    const objs: GitObject[] = [{ type: 'blob', data: Buffer.from('same') }];
    const a = writePack(join(repo, 'objects'), objs);
    const b = writePack(join(repo, 'objects'), objs);
    expect(b).toEqual(a);
    expect(readdirSync(join(repo, 'objects', 'pack'))).toHaveLength(2);
  });

  it('has a table crc32 that agrees with zlib', () => {
    const data = randomBytes(10_000);
    expect(crc32Fallback(data, 0)).toBe(zlib.crc32(data));
    expect(crc32Fallback(data.subarray(5000), crc32Fallback(data.subarray(0, 5000), 0))).toBe(zlib.crc32(data));
    expect(createHash('sha1').update('blob 0\0').digest('hex')).toBe(hashObject('blob', Buffer.alloc(0)));
  });
});

describe('mergePacks', () => {
  const blob = (text: string): GitObject => ({ type: 'blob', data: Buffer.from(text) });

  it('copies the entries of several packs into one that git verifies, each object once', () => {
    const repo = bareRepo();
    const objectsDir = join(repo, 'objects');
    const big = randomBytes(200_000); // past the stored-deflate limit: a real zlib stream, copied as it is
    const a = writePack(objectsDir, [blob('one'), blob('two'), { type: 'blob', data: big }]);
    const b = writePack(objectsDir, [blob('two'), blob('three')]);
    const merged = mergePacks(objectsDir, [a.packPath, b.packPath])!;
    expect(new Set(merged.oids)).toEqual(new Set([...a.oids, ...b.oids]));
    expect(merged.oids).toHaveLength(4);
    const idx = merged.packPath.replace(/\.pack$/, '.idx');
    const rows = git(repo, ['verify-pack', '-v', idx]).toString();
    expect(rows).toContain(a.oids[2]);
    // git computes the same index from the merged pack alone
    const theirs = join(repo, 'theirs.idx');
    git(repo, ['index-pack', '-o', theirs, merged.packPath]);
    expect(readFileSync(theirs).equals(readFileSync(idx))).toBe(true);
    for (const p of [a.packPath, b.packPath]) for (const f of [p, p.replace(/\.pack$/, '.idx')]) unlinkSync(f);
    expect(git(repo, ['cat-file', 'blob', a.oids[2]]).equals(big)).toBe(true);
    expect(git(repo, ['cat-file', 'blob', b.oids[1]]).toString()).toBe('three');
  });

  it('refuses an entry whose bytes do not match the CRC its index records, naming the pack and the object', () => {
    const repo = bareRepo();
    const objectsDir = join(repo, 'objects');
    const a = writePack(objectsDir, [blob('hello, merge')]);
    const bytes = readFileSync(a.packPath);
    bytes[bytes.length - 25] ^= 0xff; // inside the entry's stored data
    writeFileSync(a.packPath, bytes);
    expect(() => mergePacks(objectsDir, [a.packPath])).toThrow(new RegExp(`${a.packPath}.*${a.oids[0]}.*CRC-32`));
    expect(readdirSync(join(objectsDir, 'pack')).filter((f) => f.endsWith('.idx'))).toHaveLength(1);
  });

  it('returns null (the caller reads objects one by one) for a pack that is gone or holds deltas', () => {
    const repo = bareRepo();
    const objectsDir = join(repo, 'objects');
    const a = writePack(objectsDir, [blob('kept')]);
    expect(mergePacks(objectsDir, [a.packPath, join(objectsDir, 'pack', 'pack-0000000000000000000000000000000000000000.pack')])).toBeNull();
    // git's own pack of two similar blobs: the second is a delta of the first
    const text = 'a line of text that repeats\n'.repeat(200);
    const oids = [text, `${text}one more line\n`].map((t) => git(repo, ['hash-object', '-w', '--stdin'], t).toString().trim());
    const name = git(repo, ['pack-objects', '-q', join(objectsDir, 'pack', 'pack')], `${oids.join('\n')}\n`).toString().trim();
    expect(git(repo, ['verify-pack', '-v', join(objectsDir, 'pack', `pack-${name}.idx`)]).toString()).toMatch(/blob\s+\d+\s+\d+\s+\d+\s+1\s+[0-9a-f]{40}/);
    expect(mergePacks(objectsDir, [join(objectsDir, 'pack', `pack-${name}.pack`)])).toBeNull();
  });
});

describe('encodeIdxV2 ordering', () => {
  it('sorts ids that share their first 32 bits (and hex and byte ids alike) exactly as a full byte sort does', () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(`${['00000000', 'abcdef01', 'ffffffff'][i % 3]}${randomBytes(16).toString('hex')}`);
    for (let i = 0; i < 3000; i++) ids.push(randomBytes(20).toString('hex'));
    const entries = ids.map((oid, i) => ({ oid: i % 2 ? oid : Buffer.from(oid, 'hex'), crc: i, offset: 12 + i }));
    const idx = encodeIdxV2(entries, Buffer.alloc(20));
    const names = Array.from({ length: ids.length }, (_, i) => idx.toString('hex', 8 + 1024 + i * 20, 8 + 1024 + (i + 1) * 20));
    expect(names).toEqual([...ids].sort());
    // each id keeps its own crc and offset
    const pos = new Map(names.map((n, i) => [n, i]));
    const crcAt = (i: number) => idx.readUInt32BE(8 + 1024 + ids.length * 20 + i * 4);
    expect(ids.every((id, i) => crcAt(pos.get(id)!) === i)).toBe(true);
    // fanout: ids starting with 0x00 are at least the hundred made so
    expect(idx.readUInt32BE(8)).toBeGreaterThanOrEqual(100);
    expect(idx.readUInt32BE(8 + 4 * 255)).toBe(ids.length);
    expect(() => encodeIdxV2([...entries, { oid: ids[5], crc: 0, offset: 1 }], Buffer.alloc(20))).toThrow(/duplicate object/);
  });
});
