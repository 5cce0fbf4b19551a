/**
 * A `packed-refs` file cut short (mid-hash) is never rewritten: git-ml refuses with a typed error
 * naming the file and the line, keeps reading the lines that parse, and adds new refs as loose
 * files. Real repositories, checked with the real git binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GIT_ENV, git, removeTempDirs, repoWithCommits } from '@git-ml/test-support';
import { PackedRefsDamagedError, RefStore } from '@git-ml/gitstore';

afterAll(removeTempDirs);

let repo: string;
let packedPath: string;
let A: string;
let B: string;
let damaged: string;

beforeEach(() => {
  ({ repo, commits: [A, B] } = repoWithCommits('gitml-packed-', 'A', 'B'));
  for (const r of ['refs/ml/runs/1/r1', 'refs/ml/runs/1/r2', 'refs/ml/runs/1/r3']) git(repo, 'update-ref', r, A);
  git(repo, 'pack-refs', '--all');
  packedPath = join(repo, '.git', 'packed-refs');
  // cut the file in the middle of the last line's hash, as a crash or a full disk does
  const text = readFileSync(packedPath, 'utf8');
  const lastLine = text.lastIndexOf('\n', text.length - 2) + 1;
  damaged = text.slice(0, lastLine + 8);
  writeFileSync(packedPath, damaged);
  expect(damaged.endsWith(`\n${A.slice(0, 8)}`)).toBe(true);
  // C git rejects the file outright
  expect(() => git(repo, 'for-each-ref')).toThrow(/packed-refs/);
});

describe('a packed-refs file cut mid-hash', () => {
  it('is never rewritten: deleting a packed ref fails with PACKED_REFS_DAMAGED naming the file and line', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const refs = new RefStore(join(repo, '.git'), 2000);
    let err: unknown;
    try {
      refs.update([{ ref: 'refs/ml/runs/1/r1', value: null, expect: A }]);
    } catch (e) {
      err = e;
    } finally {
      stderr.mockRestore();
    }
    expect(err).toBeInstanceOf(PackedRefsDamagedError);
    const e = err as PackedRefsDamagedError;
    expect(e.code).toBe('PACKED_REFS_DAMAGED');
    expect(e.data).toEqual({ path: packedPath, line: 5, text: A.slice(0, 8) });
    expect(e.message).toContain(`${packedPath} is damaged at line 5`);
    expect(e.message).toMatch(/Fix or delete that line/);
    expect(e.message).not.toMatch(/\n\s+at /); // no stack trace in the message
    // the file is byte for byte what it was, no lock is left, the ref still reads
    expect(readFileSync(packedPath, 'utf8')).toBe(damaged);
    expect(existsSync(`${packedPath}.lock`)).toBe(false);
    expect(refs.read('refs/ml/runs/1/r1')).toBe(A);
  });

  it('reads the lines that parse, warns once naming the file and line, and adds new refs as loose refs', () => {
    const warnings: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (warnings.push(String(s)), true));
    const refs = new RefStore(join(repo, '.git'), 2000);
    try {
      expect(refs.read('refs/ml/runs/1/r2')).toBe(A);
      expect([...refs.list('refs/ml/').keys()]).toEqual(['refs/ml/runs/1/r1', 'refs/ml/runs/1/r2']);
      refs.createPacked(new Map([['refs/ml/runs/1/new', B]]));
      refs.update([{ ref: 'refs/ml/runs/1/r2', value: B, expect: A }]);
    } finally {
      stderr.mockRestore();
    }
    expect(warnings.filter((w) => w.includes('PACKED_REFS') || w.includes('is damaged at line 5'))).toHaveLength(1);
    expect(warnings[0]).toMatch(/^git-ml: warning: .*packed-refs is damaged at line 5/);
    expect(readFileSync(packedPath, 'utf8')).toBe(damaged);
    expect(readFileSync(join(repo, '.git/refs/ml/runs/1/new'), 'utf8')).toBe(`${B}\n`);

    // once the user deletes the cut line, as the message says, real git agrees with git-ml
    writeFileSync(packedPath, damaged.slice(0, damaged.lastIndexOf('\n') + 1));
    expect(git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/ml/').split('\n')).toEqual([
      `refs/ml/runs/1/new ${B}`,
      `refs/ml/runs/1/r1 ${A}`,
      `refs/ml/runs/1/r2 ${B}`,
    ]);
    execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: repo, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  });

  it('refuses other damage too: a ^peel line with no ref before it, and a bad object id', () => {
    const refs = new RefStore(join(repo, '.git'), 2000);
    const header = damaged.slice(0, damaged.indexOf('\n') + 1);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const [body, line] of [
        [`^${A}\n${A} refs/ml/runs/1/r1\n`, 2],
        [`${A} refs/ml/runs/1/r1\n${A.slice(0, 39)}x refs/ml/runs/1/r2\n`, 3],
      ] as const) {
        writeFileSync(packedPath, header + body);
        expect(() => refs.update([{ ref: 'refs/ml/runs/1/r1', value: null }])).toThrow(expect.objectContaining({ code: 'PACKED_REFS_DAMAGED', data: expect.objectContaining({ line }) }));
        expect(readFileSync(packedPath, 'utf8')).toBe(header + body);
      }
    } finally {
      stderr.mockRestore();
    }
  });
});
