/**
 * A logging process SIGKILLed in the instant between writing a run's new commit id and moving the
 * run ref (the moment a random `kill -9` of a tight logging loop hits about one time in ten) leaves
 * nothing that blocks or slows anyone: the next client folds what it logged, ends the run KILLED,
 * without waiting on the dead process's lock and without a warning. Real processes, real git.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { closeClients, fsckStrict, git, journalFiles, makeRepo, openClient, refLockFiles, removeTempDirs, startNode, tempDir, writeWorker } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

describe('kill -9 between writing and renaming a run ref', () => {
  it.each([1, 3])('after %i folds: the next open takes no lock wait, ends the run KILLED with every reported point, warns nothing', async (folds) => {
    const repo = makeRepo();
    const runsDir = join(repo, '.git', 'refs', 'ml', 'runs', '0');
    // The kill lands exactly when the child renames something onto the run ref for the
    // (folds+1)-th time: fs.renameSync is wrapped in the child only to pick that instant.
    const script = writeWorker(
      tempDir('gitml-worker-'),
      'killed-at-rename.mjs',
      `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const [repo, folds, runsDir] = arg;
let renames = 0;
const rename = fs.renameSync;
fs.renameSync = (from, to) => {
  if (String(to).startsWith(runsDir + '/') && !String(to).endsWith('.lock') && ++renames > Number(folds)) {
    process.kill(process.pid, 'SIGKILL');
    for (;;);
  }
  return rename(from, to);
};
syncBuiltinESMExports();
const c = new MlClient({ repo });
const run = c.createRun('0', { recordSource: false }).info.run_id;
say('run ' + run);
for (let i = 0; ; i++) {
  c.logMetric(run, 'm', i, { step: i, timestamp: 1000 + i });
  say('logged ' + i);
  if (i % 10 === 9) await tick(); // a fold moves the ref
}
`,
    );
    const child = startNode(script, [repo, String(folds), runsDir], repo);
    const run = (await child.waitFor(/^run ([0-9a-f]{32})$/m))[1]!;
    const result = await child.done;
    expect(result.signal, result.err).toBe('SIGKILL');
    const reported = [...result.out.matchAll(/^logged (\d+)$/gm)].map((m) => Number(m[1]));
    expect(reported.length).toBeGreaterThan(folds * 10 - 1);
    // precondition: the dead process left the run ref's lock behind
    expect(refLockFiles(repo)).toEqual([`refs/ml/runs/0/${run}.lock`]);

    const warnings: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (warnings.push(String(s)), true));
    let openMs: number;
    let info;
    let steps: number[];
    try {
      const opened = Date.now();
      const c = openClient(repo);
      openMs = Date.now() - opened;
      info = c.getRun(run).info;
      steps = c.getMetricHistory(run, 'm').map((p) => p.step);
      c.close();
    } finally {
      stderr.mockRestore();
    }
    expect(openMs, `recovery took ${openMs} ms`).toBeLessThan(2500);
    expect(warnings).toEqual([]);
    expect(info.status).toBe('KILLED');
    expect(steps.slice(0, reported.length)).toEqual(reported);
    expect(refLockFiles(repo)).toEqual([]);
    expect(existsSync(join(repo, '.git', 'packed-refs.lock'))).toBe(false);
    expect(journalFiles(repo)).toEqual([]);
    expect(git(repo, 'show', `refs/ml/runs/0/${run}:run.yaml`)).toContain('status: "KILLED"');
    fsckStrict(repo);
  }, 60_000);
});
