// What every benchmark shares: a fresh repository with one commit of code, and the per-run workload
// of the runs-created benchmarks (bench/run.mjs, bench/loops-workloads.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh repository in the temp directory with one commit of code (like a real project). */
export function newBenchRepo(prefix = 'git-ml-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = (...a) => execFileSync('git', a, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(dir, 'train.py'), 'print(1)\n');
  git('add', '.');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'code');
  return dir;
}

export function runBatch(i) {
  return {
    metrics: [
      { key: 'acc', value: (i % 100) / 100, step: 0 },
      { key: 'f1', value: ((i * 7) % 100) / 100, step: 0 },
      { key: 'loss', value: 1 - (i % 100) / 100, step: 0 },
    ],
    params: { model: String(i % 10), lr: '0.01', depth: String(i % 5), seed: String(i), batch: '32' },
  };
}
