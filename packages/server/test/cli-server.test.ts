import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metricLinesViaGit } from '@git-ml/test-support';
import { git, makeRepo } from './helpers.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../cli/bin/git-ml.js');

describe('git-ml server (the CLI command)', () => {
  it('warns when bound beyond loopback, serves, and on SIGTERM exits 0 with everything folded into commits', async () => {
    const repo = makeRepo();
    const child = spawn(process.execPath, [CLI, '--repo', repo, 'server', '--host', '0.0.0.0', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (c) => {
        err += c;
        const m = /at http:\/\/[^:]+:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
    expect(err).toContain('warning: listening on 0.0.0.0; anyone who can reach this address can read and write the repository');
    const post = (path: string, body: unknown) => fetch(`http://127.0.0.1:${port}/api/2.0/mlflow${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const runId = (await post('/runs/create', { experiment_id: '0' })).run.info.run_id;
    await post('/runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: 5, step: 0 });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('stopping; folding pending changes');
    expect(metricLinesViaGit(repo, `refs/ml/runs/0/${runId}`, 'loss')).toEqual(['5 0.5 0']);
  });
});
