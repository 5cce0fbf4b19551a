// Loose refs and HEAD are read once and then only stat-ed while they stay the same. A cached text
// must never outlive a change, even one that keeps the size and puts the old mtime back.
import { mkdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, sleep, tempDir } from '@git-ml/test-support';
import { readSmallFile } from '../src/refs/small-file.js';

afterAll(removeTempDirs);

const A = `${'a'.repeat(40)}\n`;
const B = `${'b'.repeat(40)}\n`;

describe('readSmallFile', () => {
  it('sees a same-size change that puts the old mtime back (ctime tells), and one made by rename', async () => {
    const dir = tempDir();
    const path = join(dir, 'ref');
    writeFileSync(path, A);
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    await sleep(150); // the ctime set by utimes must be past the racy window for the text to be cached
    expect(readSmallFile(path)).toBe(A.trim());
    expect(readSmallFile(path)).toBe(A.trim());
    // rewrite in place, same size, and set the mtime back to what it was
    const before = statSync(path);
    writeFileSync(path, B);
    utimesSync(path, before.atime, before.mtime);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(path).size).toBe(before.size);
    expect(readSmallFile(path)).toBe(B.trim());
    // replaced by rename, as git and git-ml write refs
    writeFileSync(`${path}.lock`, A);
    renameSync(`${path}.lock`, path);
    expect(readSmallFile(path)).toBe(A.trim());
  });

  it('reads again, every time, a file changed within the racy window', () => {
    const dir = tempDir();
    const path = join(dir, 'ref');
    for (let i = 0; i < 50; i++) {
      const text = i % 2 ? A : B;
      writeFileSync(path, text);
      expect(readSmallFile(path)).toBe(text.trim());
    }
  });

  it('gives null for a missing file, a directory and a path through a file', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'file'), A);
    expect(readSmallFile(join(dir, 'missing'))).toBeNull();
    expect(readSmallFile(join(dir, 'sub'))).toBeNull();
    expect(readSmallFile(join(dir, 'file', 'below'))).toBeNull();
  });
});
