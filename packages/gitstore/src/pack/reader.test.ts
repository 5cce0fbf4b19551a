import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync, truncateSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32, encodeEntryHeader, OBJ_REF_DELTA } from './format.js';
import { encodeIdxV2 } from './idx.js';
import { PackStore } from './index.js';
import { writePack } from './writer.js';

const tmpRoots: string[] = [];
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

function git(cwd: string, args: string[], input?: string | Buffer): Buffer {
  return execFileSync('git', args, { cwd, input, env: GIT_ENV, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
}

function tempRepo(bare = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitml-pack-'));
  tmpRoots.push(dir);
  git(dir, bare ? ['init', '-q', '--bare'] : ['init', '-q']);
  return dir;
}

const objectsDir = (repo: string): string =>
  statSync(join(repo, '.git'), { throwIfNoEntry: false }) ? join(repo, '.git', 'objects') : join(repo, 'objects');

/** Every object git sees, with its bytes, via one `cat-file --batch-all-objects --batch`. */
function allObjects(repo: string): Map<string, { type: string; data: Buffer }> {
  const out = git(repo, ['cat-file', '--batch-all-objects', '--batch']);
  const map = new Map<string, { type: string; data: Buffer }>();
  for (let pos = 0; pos < out.length; ) {
    const nl = out.indexOf(10, pos);
    const [oid, type, size] = out.toString('latin1', pos, nl).split(' ');
    const start = nl + 1;
    map.set(oid, { type, data: out.subarray(start, start + Number(size)) });
    pos = start + Number(size) + 1;
  }
  return map;
}

/** Entry type codes (3 bits after the continuation bit) at each offset `verify-pack -v` lists. */
function entryTypeCodes(packPath: string, repo: string): number[] {
  const lines = git(repo, ['verify-pack', '-v', packPath.replace(/\.pack$/, '.idx')]).toString().split('\n');
  const fd = openSync(packPath, 'r');
  const b = Buffer.alloc(1);
  const codes: number[] = [];
  for (const line of lines) {
    const m = /^[0-9a-f]{40} \w+ +\d+ \d+ (\d+)/.exec(line);
    if (!m) continue;
    readSync(fd, b, 0, 1, Number(m[1]));
    codes.push((b[0] >> 4) & 7);
  }
  closeSync(fd);
  return codes;
}

function packFiles(repo: string, ext: string): string[] {
  const dir = join(objectsDir(repo), 'pack');
  return readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
}

function expectStoreMatchesGit(store: PackStore, expected: Map<string, { type: string; data: Buffer }>): void {
  let mismatches = 0;
  for (const [oid, want] of expected) {
    const got = store.read(oid);
    if (!got || got.type !== want.type || !got.data.equals(want.data)) mismatches++;
  }
  expect(mismatches).toBe(0);
}

/** A few hundred commits of a slowly evolving file, fed to fast-import (one git process instead of hundreds). */
function historyRepo(commits: number): string {
  const repo = tempRepo();
  const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
  // Over 64 KiB of unchanged text makes git emit full-size (0x10000, encoded as 0) delta copies.
  const hugeLines = Array.from({ length: 4000 }, (_, i) => `${i} ${createHash('sha1').update(String(i)).digest('hex')}`);
  let stream = '';
  for (let c = 0; c < commits; c++) {
    lines[(c * 37) % lines.length] = `changed in commit ${c}`;
    const file = `${lines.join('\n')}\n`;
    const other = `counter ${c}\n`;
    const msg = `commit ${c}\n`;
    stream += `commit refs/heads/main\ncommitter T <t@example.com> ${1700000000 + c} +0000\ndata ${msg.length}\n${msg}`;
    stream += `M 100644 inline big.txt\ndata ${Buffer.byteLength(file)}\n${file}\n`;
    stream += `M 100644 inline dir/small.txt\ndata ${other.length}\n${other}\n`;
    if (c % 10 === 0) {
      hugeLines[(c * 131) % hugeLines.length] = `edited ${c}`;
      const huge = `${hugeLines.join('\n')}\n`;
      stream += `M 100644 inline huge.txt\ndata ${Buffer.byteLength(huge)}\n${huge}\n`;
    }
  }
  git(repo, ['fast-import', '--quiet'], stream);
  git(repo, ['tag', '-a', '-m', 'a tag', 'v1', 'main']);
  return repo;
}

afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

describe('PackStore on git-written packs', () => {
  let repo: string;
  let expected: Map<string, { type: string; data: Buffer }>;

  beforeAll(() => {
    repo = historyRepo(300);
    git(repo, ['gc', '--aggressive', '-q']);
    expected = allObjects(repo);
  }, 120_000);

  it('has OFS_DELTA chains after gc --aggressive', () => {
    const [pack] = packFiles(repo, '.pack');
    const codes = entryTypeCodes(pack, repo);
    expect(codes.length).toBe(expected.size);
    expect(codes.filter((c) => c === 6).length).toBeGreaterThan(200);
    const stats = git(repo, ['verify-pack', '-v', pack.replace(/\.pack$/, '.idx')]).toString();
    expect(stats).toMatch(/chain length = (1\d|[2-9]\d)/);
  });

  it('reads every object byte-identically to git cat-file', () => {
    expect(expected.size).toBeGreaterThan(1200);
    const kinds = new Set([...expected.values()].map((o) => o.type));
    expect(kinds).toEqual(new Set(['blob', 'tree', 'commit', 'tag']));
    expectStoreMatchesGit(new PackStore(objectsDir(repo)), expected);
  });

  it('is also correct with the base cache disabled and without hash verification', () => {
    expectStoreMatchesGit(new PackStore(objectsDir(repo), { cacheBytes: 0, verify: false }), expected);
  });

  it('answers has() and returns null for absent ids, rejects malformed ids', () => {
    const store = new PackStore(objectsDir(repo));
    const [oid] = expected.keys();
    expect(store.has(oid)).toBe(true);
    expect(store.has(oid.toUpperCase())).toBe(true);
    expect(store.has('0'.repeat(40))).toBe(false);
    expect(store.read('f'.repeat(40))).toBeNull();
    expect(() => store.read('abc')).toThrow(/not a SHA-1/);
  });

  it('reads REF_DELTA packs (pack-objects without --delta-base-offset)', () => {
    const dst = tempRepo(true);
    const list = git(repo, ['rev-list', '--objects', '--all']);
    git(repo, ['pack-objects', '-q', '--window=50', '--depth=50', join(dst, 'objects', 'pack', 'pack')], list);
    const [pack] = packFiles(dst, '.pack');
    const codes = entryTypeCodes(pack, dst);
    expect(codes.filter((c) => c === 7).length).toBeGreaterThan(200);
    expect(codes).not.toContain(6);
    expectStoreMatchesGit(new PackStore(join(dst, 'objects')), allObjects(dst));
  });

  it('reads version 1 indexes and v2 indexes with 64-bit offsets', () => {
    const [pack] = packFiles(repo, '.pack');
    for (const version of ['1', '2,0x100']) {
      const dst = tempRepo(true);
      const target = join(dst, 'objects', 'pack', 'pack-x.pack');
      copyFileSync(pack, target);
      git(dst, ['index-pack', `--index-version=${version}`, '-o', target.replace(/\.pack$/, '.idx'), target]);
      const idx = readFileSync(target.replace(/\.pack$/, '.idx'));
      if (version === '1') expect(idx.readUInt32BE(0)).not.toBe(0xff744f63);
      else expect(idx.length).toBeGreaterThan(8 + 1024 + expected.size * 28 + 40 + 1000 * 8);
      expectStoreMatchesGit(new PackStore(join(dst, 'objects')), expected);
    }
  });

  it('notices new packs on refresh() and survives git gc deleting a pack', () => {
    const work = tempRepo();
    writeFileSync(join(work, 'a.txt'), 'first\n');
    git(work, ['add', '.']);
    git(work, ['commit', '-qm', 'one']);
    git(work, ['repack', '-q', '-d']);
    const first = git(work, ['rev-parse', 'HEAD:a.txt']).toString().trim();
    const store = new PackStore(objectsDir(work));
    expect(store.read(first)?.data.toString()).toBe('first\n');

    const lazy = new PackStore(objectsDir(work));
    const [added] = writePack(objectsDir(work), [{ type: 'blob', data: Buffer.from('second\n') }]).oids;
    expect(store.has(added)).toBe(false);
    store.refresh();
    expect(store.read(added)?.data.toString()).toBe('second\n');

    writeFileSync(join(work, 'b.txt'), 'third\n');
    git(work, ['add', '.']);
    git(work, ['commit', '-qm', 'two']);
    const third = git(work, ['rev-parse', 'HEAD:b.txt']).toString().trim();
    const before = packFiles(work, '.pack');
    git(work, ['repack', '-q', '-a', '-d']);
    const after = packFiles(work, '.pack');
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
    // `lazy` loaded the old index but never opened its pack: the read hits ENOENT and rescans.
    expect(lazy.read(first)?.data.toString()).toBe('first\n');
    // `store` holds descriptors to the deleted packs, which stay readable until refresh().
    expect(store.read(added)?.data.toString()).toBe('second\n');
    store.refresh();
    expect(store.read(added)).toBeNull();
    expect(store.read(first)?.data.toString()).toBe('first\n');
    expect(store.read(third)?.data.toString()).toBe('third\n');
  });
});

/** A one-object pack whose single entry is a REF_DELTA of `target` against `base`. */
function writeRefDeltaPack(objects: string, base: Buffer, baseOid: string, target: Buffer): string {
  const keep = 10;
  const tail = target.subarray(keep);
  const varint = (n: number): number[] => {
    const out: number[] = [];
    for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
    return [...out, n];
  };
  const delta = Buffer.from([...varint(base.length), ...varint(target.length), 0x80 | 0x10, keep, tail.length, ...tail]);
  const hdr = Buffer.concat([encodeEntryHeader(OBJ_REF_DELTA, delta.length), Buffer.from(baseOid, 'hex')]);
  const body = deflateSync(delta);
  const head = Buffer.from('PACK\0\0\0\x02\0\0\0\x01', 'latin1');
  const content = Buffer.concat([head, hdr, body]);
  const checksum = createHash('sha1').update(content).digest();
  const oid = createHash('sha1').update(`blob ${target.length}\0`).update(target).digest();
  const name = join(objects, 'pack', `pack-${checksum.toString('hex')}`);
  writeFileSync(`${name}.pack`, Buffer.concat([content, checksum]));
  writeFileSync(`${name}.idx`, encodeIdxV2([{ oid, crc: crc32(body, crc32(hdr)), offset: 12 }], checksum));
  return oid.toString('hex');
}

describe('PackStore with REF_DELTA bases outside the pack', () => {
  const base = Buffer.from('0123456789 base content\n');
  const target = Buffer.from('0123456789 new tail\n');

  it('finds the base in another pack', () => {
    const repo = tempRepo(true);
    const [baseOid] = writePack(join(repo, 'objects'), [{ type: 'blob', data: base }]).oids;
    const oid = writeRefDeltaPack(join(repo, 'objects'), base, baseOid, target);
    const store = new PackStore(join(repo, 'objects'));
    expect(store.read(oid)).toEqual({ type: 'blob', data: target });
  });

  it('asks resolveExternal for a loose base, and fails loudly without it', () => {
    const repo = tempRepo(true);
    const baseOid = git(repo, ['hash-object', '-w', '--stdin'], base).toString().trim();
    const oid = writeRefDeltaPack(join(repo, 'objects'), base, baseOid, target);
    const asked: string[] = [];
    const store = new PackStore(join(repo, 'objects'), {
      resolveExternal: (id) => {
        asked.push(id);
        return { type: 'blob', data: git(repo, ['cat-file', 'blob', id]) };
      },
    });
    expect(store.read(oid)).toEqual({ type: 'blob', data: target });
    expect(asked).toEqual([baseOid]);
    expect(() => new PackStore(join(repo, 'objects')).read(oid)).toThrow(`REF_DELTA base ${baseOid} not found`);
  });
});

describe('PackStore on damaged packs', () => {
  let src: string;
  beforeAll(() => {
    src = historyRepo(40);
    git(src, ['gc', '-q']);
  }, 60_000);

  function damagedCopy(): { objects: string; pack: string; rows: string[][] } {
    const dst = tempRepo(true);
    for (const f of packFiles(src, '')) {
      if (!/\.(pack|idx)$/.test(f)) continue;
      const to = join(dst, 'objects', 'pack', f.split('/').pop() as string);
      copyFileSync(f, to);
      chmodSync(to, 0o644);
    }
    const [pack] = packFiles(dst, '.pack');
    const rows = git(dst, ['verify-pack', '-v', pack.replace(/\.pack$/, '.idx')])
      .toString()
      .split('\n')
      .map((l) => l.split(/ +/))
      .filter((r) => /^[0-9a-f]{40}$/.test(r[0]));
    return { objects: join(dst, 'objects'), pack, rows };
  }

  it('names the pack and the object when compressed data is corrupt', () => {
    const { objects, pack, rows } = damagedCopy();
    const row = rows.find((r) => r[1] === 'blob' && r.length === 5 && Number(r[3]) > 100) as string[];
    const buf = readFileSync(pack);
    buf[Number(row[4]) + Math.floor(Number(row[3]) / 2)] ^= 0xff;
    writeFileSync(pack, buf);
    const store = new PackStore(objects);
    expect(() => store.read(row[0])).toThrow(pack);
    expect(() => store.read(row[0])).toThrow(row[0]);
    const dependent = rows.find((r) => r.length === 7 && r[6] === row[0]);
    if (dependent) expect(() => store.read(dependent[0])).toThrow(pack);
  });

  it('names the pack when it is truncated', () => {
    const { objects, pack, rows } = damagedCopy();
    truncateSync(pack, statSync(pack).size - 100);
    expect(() => new PackStore(objects).read(rows[0][0])).toThrow(new RegExp(`${pack} is corrupt \\(reading object ${rows[0][0]}\\)`));
    expect(() => new PackStore(objects).read(rows[0][0])).toThrow(expect.objectContaining({ code: 'CORRUPT_PACK', data: expect.objectContaining({ oid: rows[0][0] }) }));
  });

  it('names the index when it is truncated', () => {
    const { objects, pack } = damagedCopy();
    const idx = pack.replace(/\.pack$/, '.idx');
    chmodSync(idx, 0o644);
    truncateSync(idx, statSync(idx).size - 7);
    expect(() => new PackStore(objects)).toThrow(`${idx} is corrupt`);
    expect(() => new PackStore(objects)).toThrow(expect.objectContaining({ code: 'CORRUPT_PACK', data: expect.objectContaining({ path: idx }) }));
  });
});
