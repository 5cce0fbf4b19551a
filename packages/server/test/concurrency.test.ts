import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MlClient } from '@git-ml/tracking';
import { TRACKING_DIST, metricLinesViaGit } from '@git-ml/test-support';
import { fsckStrict, git, serve, tempDir } from './helpers.js';

const API = '/api/2.0/mlflow';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../cli/bin/git-ml.js');

describe('server, SDK processes and the CLI writing one repository', () => {
  it('keeps every point when an SDK process and HTTP clients log into the same run at once', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'shared' })).json.experiment_id;
    const runId = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id as string;
    const script = join(tempDir('worker-'), 'worker.mjs');
    writeFileSync(
      script,
      `import { MlClient } from ${JSON.stringify(TRACKING_DIST)};
const c = new MlClient({ repo: process.argv[2] });
for (let i = 0; i < 300; i++) { c.logMetric(process.argv[3], 'sdk', i, { step: i }); if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5)); }
c.logParam(process.argv[3], 'from_sdk', 'yes');
c.close();`,
    );
    const worker = new Promise<number>((res) => spawn(process.execPath, [script, h.repo, runId], { stdio: 'inherit' }).on('close', (code) => res(code ?? -1)));
    const http = (async () => {
      for (let i = 0; i < 300; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => h.call('POST', `${API}/runs/log-metric`, { run_id: runId, key: 'http', value: i + j, timestamp: 1, step: i + j })));
      }
    })();
    const cli = new Promise<number>((res) =>
      spawn(process.execPath, [CLI, '--repo', h.repo, 'runs', 'log', runId, '--metric', 'cli=1@0', '--tag', 'from_cli=yes'], { stdio: 'inherit' }).on('close', (code) => res(code ?? -1)),
    );
    expect(await worker).toBe(0);
    expect(await cli).toBe(0);
    await http;

    const viaHttp = (await h.call('GET', `${API}/runs/get`, { run_id: runId })).json.run;
    expect(viaHttp.data.params).toContainEqual({ key: 'from_sdk', value: 'yes' });
    expect(viaHttp.data.tags).toContainEqual({ key: 'from_cli', value: 'yes' });
    await h.server.close();
    const ml = new MlClient({ repo: h.repo });
    try {
      expect(ml.getMetricHistory(runId, 'sdk').map((m) => m.step)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(ml.getMetricHistory(runId, 'http').map((m) => m.step).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(ml.getMetricHistory(runId, 'cli')).toHaveLength(1);
    } finally {
      ml.close();
    }
    expect(metricLinesViaGit(h.repo, `refs/ml/runs/${exp}/${runId}`, 'sdk')).toHaveLength(300);
    fsckStrict(h.repo);
  });
});
