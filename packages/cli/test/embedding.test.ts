import { describe, expect, it } from 'vitest';
import { run, type Io } from 'git-ml';
import { ok, startRun, tempRepo } from './harness.js';

function captureIo(columns = 120): Io & { stdout: string; stderr: string } {
  return {
    stdout: '',
    stderr: '',
    out(text) {
      this.stdout += text;
    },
    err(text) {
      this.stderr += text;
    },
    columns,
    errIsTty: false,
  };
}

describe('run() from the built package', () => {
  it('runs a command in-process and resolves to its exit code, writing to the given streams', async () => {
    const repo = tempRepo();
    const id = startRun(repo, '--name', 'embedded');
    const io = captureIo();
    expect(await run(['--repo', repo, 'runs', 'list', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).runs[0].info).toMatchObject({ run_id: id, run_name: 'embedded' });
    const bad = captureIo();
    expect(await run(['--repo', repo, 'runs', 'show', 'ffffffffffffffffffffffffffffffff'], bad)).toBe(1);
    expect(bad.stderr).toMatch(/^git-ml: error: Run 'f{32}' not found/);
    expect(await run(['--version'], captureIo())).toBe(0);
  });

  it('reports an unexpected failure as an internal error without a stack trace', async () => {
    const io = captureIo();
    Object.defineProperty(io, 'columns', {
      get() {
        throw new TypeError('columns exploded');
      },
    });
    const repo = tempRepo();
    startRun(repo);
    expect(await run(['--repo', repo, 'runs', 'list'], io)).toBe(1);
    expect(io.stderr).toMatch(/^git-ml: internal error \(a bug, please report it\): columns exploded\n/);
    expect(io.stderr).not.toMatch(/^\s+at /m);
  });

  it('fits the runs table to the terminal width: params go before metrics, ids shrink before names are cut', async () => {
    const repo = tempRepo();
    const id = startRun(repo, '--name', 'a-rather-long-run-name-for-the-table');
    ok(repo, 'runs', 'log', id, '--param', 'optimizer=adam', '--metric', 'accuracy=0.9');
    const wide = captureIo(250);
    await run(['--repo', repo, 'runs', 'list'], wide);
    expect(wide.stdout.split('\n')[0]).toMatch(/metrics\.accuracy\s+params\.optimizer$/);
    expect(wide.stdout.split('\n')[1].startsWith(id)).toBe(true);
    const narrow = captureIo(80);
    await run(['--repo', repo, 'runs', 'list'], narrow);
    const lines = narrow.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN ID\s+NAME\s+STATUS\s+metrics\.accuracy$/);
    expect(lines[1]).toMatch(/^([0-9a-f]{8}) +a-rather-long-run-name-for-the-table +RUNNING +0\.9$/);
    expect(id.startsWith(lines[1].slice(0, 8))).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });
});
