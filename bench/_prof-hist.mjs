import { MlClient } from '@git-ml/tracking';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const mode = process.argv[2];
if (mode === 'make') {
  const dir = mkdtempSync('/tmp/prof-hist-');
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const c = new MlClient({ repo: dir });
  const id = c.createRun('0').info.run_id;
  for (let s = 0; s < 100000; s++) c.logMetric(id, 'loss', 0.5 + Math.sin(s) * 0.3 + s * 1e-7, { step: s });
  c.setTerminated(id);
  await c.close();
  writeFileSync('/tmp/prof-hist.json', JSON.stringify({ dir, id }));
} else {
  const { dir, id } = JSON.parse(readFileSync('/tmp/prof-hist.json', 'utf8'));
  const t0 = performance.now();
  const c = new MlClient({ repo: dir });
  const t1 = performance.now();
  const h = mode === 'cols' ? c.getMetricColumns(id, 'loss') : c.getMetricHistory(id, 'loss');
  const t2 = performance.now();
  const h2 = c.getMetricHistory(id, 'loss');
  const t3 = performance.now();
  console.log(`open ${(t1 - t0).toFixed(1)} ms, cold ${(t2 - t1).toFixed(1)} ms, warm ${(t3 - t2).toFixed(1)} ms`, h.length ?? h.value.length);
}
