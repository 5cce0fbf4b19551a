/**
 * MLflow 2.12.2's own REST integration tests (`tests/tracking/test_rest_tracking.py`, unchanged)
 * against `git-ml server`, through the pytest plugin in ./python. Needs MLflow's source and tests
 * unpacked by `bash ../shared/mlflow-python/setup.sh $MLFLOW_PY_DIR` (default /tmp/mlflow-py);
 * without them the suite is skipped and says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const MLFLOW = process.env.MLFLOW_PY_DIR ?? '/tmp/mlflow-py';
const SUITE = join(MLFLOW, 'tests/tracking/test_rest_tracking.py');
const PYTHON = '/usr/bin/python3';
const available = existsSync(SUITE) && existsSync(PYTHON);
const why = available ? '' : ` (skipped: MLflow's tests are not at ${SUITE}; run \`bash ../shared/mlflow-python/setup.sh ${MLFLOW}\` or set MLFLOW_PY_DIR)`;

/** Test ids listed under "Failing MLflow tests" in docs/server.md, which must name every failure. */
function documentedFailures(): string[] {
  const doc = readFileSync(resolve(HERE, '../../../docs/server.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Failing MLflow tests')) ?? '';
  return [...section.matchAll(/`(test_[^`]+)`/g)].map((m) => m[1]);
}

describe(`MLflow 2.12.2 tests/tracking/test_rest_tracking.py against git-ml server${why}`, () => {
  it.skipIf(!available)(`passes at least 105 of 113, and every failure is documented in docs/server.md with its reason${available ? '' : ' (skipped: MLflow\'s Python source is not set up; .ci/run sets it up from the shared mlflow-python folder)'}`, async () => {
    const env = { ...process.env, PYTHONPATH: [join(MLFLOW, 'src'), join(MLFLOW, 'deps'), MLFLOW, join(HERE, 'python')].join(':') };
    const args = ['-m', 'pytest', '-p', 'gitml_server_plugin', '-p', 'no:cacheprovider', '-q', '-rf', '--tb=line', '-W', 'ignore', 'tests/tracking/test_rest_tracking.py'];
    const out = await new Promise<string>((res, rej) => {
      const child = spawn(PYTHON, args, { cwd: MLFLOW, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      child.on('error', rej);
      child.on('close', () => res(text));
    });
    const passed = Number(/(\d+) passed/.exec(out)?.[1] ?? 0);
    const failed = [...out.matchAll(/^FAILED tests\/tracking\/test_rest_tracking\.py::(\S+)/gm)].map((m) => m[1]);
    const documented = documentedFailures();
    console.info(`MLflow REST suite against git-ml server: ${/(\d+ passed[^\n]*?) in [\d.]+s/.exec(out)?.[1] ?? 'no summary'}${failed.length ? `; failing: ${failed.join(', ')}` : ''}`);
    expect(passed, out.slice(-3000)).toBeGreaterThanOrEqual(105);
    expect(failed.filter((t) => !documented.includes(t)), 'failing tests missing from docs/server.md').toEqual([]);
  }, 20 * 60_000);
});
