import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MlClient } from '@git-ml/tracking';
import { TRACKING_DIST, metricLinesViaGit } from '@git-ml/test-support';
import { fsckStrict, git, serve, tempDir, type Harness } from './helpers.js';

const API = '/api/2.0/mlflow';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../cli/bin/git-ml.js');

/** An SDK process logging 300 points of `sdk` and a param into `runId`, an HTTP client 300 points of `http` into `httpRunId`, and one CLI call, all at once. */
async function writeAtOnce(h: Harness, runId: string, httpRunId: string): Promise<void> {
  const script = join(tempDir('worker-'), 'worker.mjs');
  writeFileSync(
    script,
    `import { MlClient } from ${JSON.stringify(TRACKING_DIST)};
const c = new MlClient({ repo: process.argv[2] });
for (let i = 0; i < 300; i++) { c.logMetric(process.argv[3], 'sdk', i, { step: i }); if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5)); }
c.logParam(process.argv[3], 'from_sdk', 'yes');
c.close();`,
  );
  const exit = (args: string[]) => new Promise<number>((res) => spawn(process.execPath, args, { stdio: 'inherit' }).on('close', (code) => res(code ?? -1)));
  const worker = exit([script, h.repo, runId]);
  const cli = exit([CLI, '--repo', h.repo, 'runs', 'log', runId, '--metric', 'cli=1@0', '--tag', 'from_cli=yes']);
  for (let i = 0; i < 300; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, j) => h.call('POST', `${API}/runs/log-metric`, { run_id: httpRunId, key: 'http', value: i + j, timestamp: 1, step: i + j })));
  }
  expect(await worker).toBe(0);
  expect(await cli).toBe(0);
}

function steps(ml: MlClient, runId: string, key: string): number[] {
  return ml.getMetricHistory(runId, key).map((m) => m.step).sort((a, b) => a - b);
}

const ALL = Array.from({ length: 300 }, (_, i) => i);

describe('server, SDK processes and the CLI writing one repository', () => {
  it('keeps every point and value when the server, an SDK process and the CLI write at the same time', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'shared' })).json.experiment_id;
    const sdkRun = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id as string;
    const httpRun = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id as string;
    await writeAtOnce(h, sdkRun, httpRun);

    const viaHttp = (await h.call('GET', `${API}/runs/get`, { run_id: sdkRun })).json.run;
    expect(viaHttp.data.params).toContainEqual({ key: 'from_sdk', value: 'yes' });
    expect(viaHttp.data.tags).toContainEqual({ key: 'from_cli', value: 'yes' });
    await h.server.close();
    const ml = new MlClient({ repo: h.repo });
    try {
      expect(steps(ml, sdkRun, 'sdk')).toEqual(ALL);
      expect(steps(ml, httpRun, 'http')).toEqual(ALL);
      expect(steps(ml, sdkRun, 'cli')).toEqual([0]);
    } finally {
      ml.close();
    }
    expect(metricLinesViaGit(h.repo, `refs/ml/runs/${exp}/${sdkRun}`, 'sdk')).toHaveLength(300);
    fsckStrict(h.repo);
  });

  it('keeps every point exactly once when an SDK process and HTTP clients log into the same run', async () => {
    const h = await serve();
    const exp = (await h.call('POST', `${API}/experiments/create`, { name: 'shared' })).json.experiment_id;
    const runId = (await h.call('POST', `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id as string;
    await writeAtOnce(h, runId, runId);
    await h.server.close();
    const ml = new MlClient({ repo: h.repo });
    try {
      expect(steps(ml, runId, 'sdk')).toEqual(ALL);
      expect(steps(ml, runId, 'http')).toEqual(ALL);
    } finally {
      ml.close();
    }
  });
});
