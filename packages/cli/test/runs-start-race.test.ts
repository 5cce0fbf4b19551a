import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, git, tempRepo } from './harness.js';

/** Runs the built `git-ml` binary without blocking, so many can run at once. */
function gitMlAsync(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe('runs start from many processes at once', () => {
  it('8 parallel `git-ml runs start --experiment sweep` (× 3 trials) all succeed, in one experiment named sweep', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const repo = tempRepo();
      const results = await Promise.all(Array.from({ length: 8 }, () => gitMlAsync(repo, ['runs', 'start', '--experiment', 'sweep'])));
      for (const r of results) expect(r.code, `trial ${trial}: ${r.stderr}`).toBe(0);
      const runIds = results.map((r) => r.stdout.trim());
      for (const id of runIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(new Set(runIds).size).toBe(8);

      const experiments = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/experiments/').trim().split('\n');
      expect(experiments, `trial ${trial}`).toHaveLength(1);
      const expId = experiments[0]!.split('/').pop()!;
      expect(git(repo, 'show', `${experiments[0]}:experiment.yaml`)).toMatch(/^name: "sweep"$/m);
      const runRefs = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs/').trim().split('\n');
      expect(runRefs.sort()).toEqual(runIds.map((id) => `refs/ml/runs/${expId}/${id}`).sort());
      git(repo, 'fsck', '--strict', '--no-progress');
    }
  }, 180_000); // 24 CLI processes on a loaded machine
});
