import { MlClient } from '@git-ml/tracking';
import { newBenchRepo, runBatch } from './run-batch.mjs';
const repo = newBenchRepo('ui100k-');
const c = new MlClient({ repo });
const exp = c.createExperiment('big');
const t = performance.now();
for (let i = 0; i < 100000; i++) {
  const r = c.createRun(exp, { runName: `run-${String(i).padStart(6, '0')}`, startTime: 1_750_000_000_000 + i });
  c.logBatch(r.info.run_id, runBatch(i));
  c.setTerminated(r.info.run_id, 'FINISHED', 1_750_000_000_000 + i + 1000);
}
c.flush(); c.close();
console.log(JSON.stringify({ repo, exp, s: (performance.now() - t) / 1000 }));
