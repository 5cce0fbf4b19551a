import { MlClient } from '@git-ml/tracking';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = mkdtempSync('/tmp/prof-repo-');
execFileSync('git', ['init', '-q', '-b', 'main', dir]);
writeFileSync(join(dir, 'a.txt'), 'a');
execFileSync('git', ['-C', dir, 'add', '.']);
execFileSync('git', ['-C', dir, '-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-qm', 'x']);
const N = Number(process.argv[2] ?? 1000);
const c = new MlClient({ repo: dir });
const exp = c.createExperiment('e');
const t = performance.now();
for (let i = 0; i < N; i++) {
  const r = c.createRun(exp);
  const id = r.info.run_id;
  c.logBatch(id, { metrics: [{ key: 'a', value: 1, step: 0, timestamp: Date.now() }, { key: 'b', value: 2, step: 0, timestamp: Date.now() }, { key: 'c', value: 3, step: 0, timestamp: Date.now() }], params: [1, 2, 3, 4, 5].map((k) => ({ key: `p${k}`, value: String(k) })) });
  c.setTerminated(id, 'FINISHED');
  if (process.argv[3] === 'y') await new Promise((r) => setImmediate(r));
}
const t1 = performance.now();
c.flush();
const t2 = performance.now();
c.close();
console.log(`${N} runs: loop ${(t1 - t).toFixed(0)} ms, flush ${(t2 - t1).toFixed(0)} ms, ${(N / ((t2 - t) / 1000)).toFixed(0)} runs/s`);
