import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, gitMl, ok, refOf, startRun, tempDir, tempRepo } from './harness.js';

describe('artifacts', () => {
  it('log, list and get round-trip a directory with a nested file, byte for byte', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    const src = tempDir();
    const nested = randomBytes(100_000);
    mkdirSync(join(src, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(src, 'top.txt'), 'hello\n');
    writeFileSync(join(src, 'sub', 'deeper', 'weights.bin'), nested);

    expect(ok(repo, 'artifacts', 'log', id, src, '--artifact-path', 'model')).toBe(`Logged ${src} to runs:/${id}/model\n`);

    const root = JSON.parse(ok(repo, 'artifacts', 'list', id, '--json'));
    expect(root.files).toEqual([{ path: 'model', is_dir: true, file_size: null }]);
    expect(root.root_uri).toBe(`${refOf(repo, id)}:artifacts`);
    const deeper = JSON.parse(ok(repo, 'artifacts', 'list', id, 'model/sub/deeper', '--json')).files;
    expect(deeper).toEqual([{ path: 'model/sub/deeper/weights.bin', is_dir: false, file_size: nested.length }]);
    expect(ok(repo, 'artifacts', 'list', id, 'model')).toMatch(/^PATH\s+SIZE\nmodel\/sub\/\s+dir\nmodel\/top\.txt\s+6 B\n$/);

    const dest = tempDir();
    const written = ok(repo, 'artifacts', 'get', id, 'model', '-o', dest).trim();
    expect(written).toBe(join(dest, 'model'));
    expect(readFileSync(join(written, 'sub', 'deeper', 'weights.bin')).equals(nested)).toBe(true);
    expect(readFileSync(join(written, 'top.txt'), 'utf8')).toBe('hello\n');

    // and plain git sees the same bytes in the run's commit
    const viaGit = execFileSync('git', ['cat-file', 'blob', `${refOf(repo, id)}:artifacts/model/sub/deeper/weights.bin`], { cwd: repo, env: cleanEnv() });
    expect(viaGit.equals(nested)).toBe(true);
    execFileSync('git', ['fsck', '--strict'], { cwd: repo, env: cleanEnv(), stdio: 'ignore' });
  });

  it('logs a single file under --artifact-path and gets it back into the current directory by default', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    const file = join(tempDir(), 'notes.md');
    writeFileSync(file, '# results\n');
    expect(ok(repo, 'artifacts', 'log', id, file, '--artifact-path', 'docs')).toBe(`Logged ${file} to runs:/${id}/docs/notes.md\n`);
    const out = tempDir();
    const r = gitMl(out, ['--repo', repo, 'artifacts', 'get', id, 'docs/notes.md']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(out, 'docs', 'notes.md'));
    expect(readFileSync(join(out, 'docs', 'notes.md'), 'utf8')).toBe('# results\n');
  });

  it('says which path is missing, locally or in the run', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    const local = gitMl(repo, ['artifacts', 'log', id, 'no-such-dir']);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/^git-ml: error: Cannot log no-such-dir: no such file or directory/);
    const remote = gitMl(repo, ['artifacts', 'get', id, 'model.onnx']);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/has no artifact 'model\.onnx'/);
  });

  describe('progress bars for large files', () => {
    /** A repository with a run and a 9 MiB file: above the bar's 8 MiB, below the 10 MiB of the LFS note. */
    function bigFile() {
      const repo = tempRepo();
      const id = startRun(repo);
      const dir = tempDir();
      const file = join(dir, 'weights.bin');
      writeFileSync(file, randomBytes(9 * 1024 * 1024));
      return { repo, id, file };
    }

    it('stay off when stderr is not a terminal: piped output is exactly the result lines', () => {
      const { repo, id, file } = bigFile();
      const logged = gitMl(repo, ['artifacts', 'log', id, file, '--artifact-path', 'model']);
      expect([logged.code, logged.stdout, logged.stderr]).toEqual([0, `Logged ${file} to runs:/${id}/model/weights.bin\n`, '']);
      const out = tempDir();
      const got = gitMl(repo, ['artifacts', 'get', id, 'model', '-o', out]);
      expect([got.code, got.stdout, got.stderr]).toEqual([0, `${join(out, 'model')}\n`, '']);
      expect(readFileSync(join(out, 'model', 'weights.bin')).equals(readFileSync(file))).toBe(true);
    });

    // `script` (util-linux) runs the command on a pseudo-terminal, as a user's shell would
    const noScript = spawnSync('script', ['--version']).status === 0 ? null : 'no `script` program (util-linux) to give the command a terminal';
    it.skipIf(noScript)(`are drawn on stderr when it is a terminal, up to 100%, for log and get${noScript ? ` (skipped: ${noScript})` : ''}`, () => {
      const { repo, id, file } = bigFile();
      const onTty = (args: string[]) =>
        execFileSync('script', ['-qec', [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: repo, env: cleanEnv({ COLUMNS: '100' }), encoding: 'utf8' });
      const logged = onTty(['artifacts', 'log', id, file]);
      expect(logged).toMatch(/Logging weights\.bin \[[^\]]+\] 100% 9\.0 MiB\/9\.0 MiB/);
      expect(logged).toContain(`Logged ${file} to runs:/${id}/weights.bin`);
      const out = tempDir();
      const got = onTty(['artifacts', 'get', id, 'weights.bin', '-o', out]);
      expect(got).toMatch(/Copying weights\.bin \[[^\]]+\] 100% 9\.0 MiB\/9\.0 MiB/);
      expect(readFileSync(join(out, 'weights.bin')).equals(readFileSync(file))).toBe(true);
      // small files get no bar, even on a terminal
      writeFileSync(join(repo, 'small.txt'), 'x');
      expect(onTty(['artifacts', 'log', id, join(repo, 'small.txt')])).not.toMatch(/Logging/);
    });
  });
});

