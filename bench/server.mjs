// Tracking-server part of `npm run bench`: the same MLflow Python client workload against real
// `mlflow server` (SQLite backend, as MLflow's docs recommend) and against `git-ml server`, on this
// machine, one after the other. Needs MLflow's Python source (bash ../shared/mlflow-python/setup.sh
// $MLFLOW_PY_DIR); skipped with the reason otherwise.
import { execFileSync, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const GIT_ML = join(HERE, '../packages/cli/bin/git-ml.js');

function py(mlflowDir) {
  return { ...process.env, PYTHONPATH: [join(mlflowDir, 'src'), join(mlflowDir, 'deps'), mlflowDir].join(':') };
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`))));
  });
}

async function waitUp(url, proc) {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode})`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no server at ${url}`);
}

async function startServer(kind, dir, port, mlflowDir) {
  const url = `http://127.0.0.1:${port}`;
  let proc;
  if (kind === 'mlflow') {
    proc = spawn('/usr/bin/python3', ['-m', 'mlflow', 'server', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--artifacts-destination', join(dir, 'artifacts'), '--host', '127.0.0.1', '--port', String(port)], { env: py(mlflowDir), stdio: 'ignore', detached: true });
  } else {
    execFileSync('git', ['init', '-q', dir]);
    proc = spawn(process.execPath, [GIT_ML, '--repo', dir, 'server', '--port', String(port)], { stdio: 'ignore', detached: true });
  }
  await waitUp(url, proc);
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const force = setTimeout(() => {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        resolve();
      }, 20_000);
      proc.on('exit', () => {
        clearTimeout(force);
        resolve();
      });
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        resolve();
      }
    });
  return { url, stop };
}

/**
 * A server that does nothing: every call answered at once with a minimal valid body. MLflow's Python
 * client against it costs what the client alone costs, so its throughput is the ceiling any server
 * could reach with that client on this machine.
 */
async function startClientOnlyServer(port, searchAnswer) {
  const info = { run_id: '0'.repeat(32), run_uuid: '0'.repeat(32), experiment_id: '0', run_name: 'r', user_id: 'u', status: 'RUNNING', start_time: 1, lifecycle_stage: 'active', artifact_uri: 'mlflow-artifacts:/0' };
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url.includes('/runs/search')) {
        res.setHeader('content-type', 'application/json');
        res.end(searchAnswer);
        return;
      }
      const body = req.url.includes('/runs/create') ? { run: { info, data: {}, inputs: {} } }
        : req.url.includes('/runs/update') ? { run_info: info }
        : req.url.includes('/experiments/get-by-name') ? { experiment: { experiment_id: '0', name: 'bench-server', lifecycle_stage: 'active' } }
        : {};
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Median ms of a log-metric round trip and of GET /health, from Node (no MLflow client cost). */
async function httpLatency(url, calls = 500) {
  const post = (path, body) => fetch(`${url}/api/2.0/mlflow${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const exp = (await post('/experiments/create', { name: `latency-${Date.now()}` })).experiment_id;
  const run = (await post('/runs/create', { experiment_id: exp, start_time: Date.now() })).run.info.run_id;
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const metric = [];
  const bare = [];
  // bare HTTP first, while nothing is pending: a fold a log-metric schedules would otherwise land on the next request
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fetch(`${url}/health`).then((r) => r.text());
    bare.push(performance.now() - t);
  }
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await post('/runs/log-metric', { run_id: run, key: 'm', value: i, timestamp: Date.now(), step: i });
    metric.push(performance.now() - t);
  }
  return { log_metric_median_ms: median(metric), health_median_ms: median(bare) };
}

/** { runs, metrics, clients } sizes; returns per-server figures and the ratios. */
export async function trackingServerBench({ runs = 1000, metrics = 10000, clients = 8, mlflowDir = process.env.MLFLOW_PY_DIR ?? '/tmp/mlflow-py' } = {}) {
  if (!existsSync(join(mlflowDir, 'src/mlflow/__init__.py'))) return { skipped: `MLflow's Python source is not at ${mlflowDir}; run bash ../shared/mlflow-python/setup.sh ${mlflowDir} or set MLFLOW_PY_DIR` };
  const workload = join(HERE, 'server_workload.py');
  const out = { runs, metrics, clients };
  let port = 5400 + Math.floor(Math.random() * 500);
  let searchAnswer = '{}';
  for (const kind of ['mlflow', 'git-ml']) {
    const dir = mkdtempSync(join(tmpdir(), `git-ml-bench-${kind}-`));
    const server = await startServer(kind, dir, port++, mlflowDir);
    try {
      const w = (phase, n, tag) => run('/usr/bin/python3', [workload, server.url, phase, String(n), tag ?? 'main'], py(mlflowDir));
      const log = (what) => process.stderr.write(`bench server: ${kind}: ${what}\n`);
      const r = await w('runs', runs);
      log(`${runs} runs in ${r.seconds.toFixed(1)} s`);
      const m = await w('metrics', metrics);
      log(`${metrics} log_metric in ${m.seconds.toFixed(1)} s`);
      const s = await w('search', 0);
      log(`search ${s.median_ms.toFixed(1)} ms`);
      if (kind === 'git-ml') {
        // the same search's answer, for the do-nothing server to replay (the client's own cost of reading it)
        const exp = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=bench-server`).then((res) => res.json());
        searchAnswer = await fetch(`${server.url}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_ids: [exp.experiment.experiment_id], filter: 'metrics.acc > 0.5', max_results: 1000 }) }).then((res) => res.text());
      }
      const node = await httpLatency(server.url);
      log(`from Node: log-metric ${node.log_metric_median_ms.toFixed(2)} ms, /health ${node.health_median_ms.toFixed(2)} ms`);
      const t = Date.now();
      const per = Math.ceil(runs / clients);
      await Promise.all(Array.from({ length: clients }, (_, i) => w('runs', per, `c${i}`)));
      const parallelSeconds = (Date.now() - t) / 1000;
      out[kind] = {
        runs_per_s: runs / r.seconds,
        log_metric_per_s: metrics / m.seconds,
        log_metric_median_ms: m.log_metric_median_ms,
        bare_http_median_ms: m.bare_http_median_ms,
        search_median_ms: s.median_ms,
        search_matched: s.matched,
        parallel_runs_per_s: (per * clients) / parallelSeconds,
        node_log_metric_median_ms: node.log_metric_median_ms,
        node_health_median_ms: node.health_median_ms,
      };
      log(JSON.stringify(out[kind]));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  {
    // the same client against a server that does nothing: the client's own cost
    const server = await startClientOnlyServer(port++, searchAnswer);
    try {
      const w = (phase, n) => run('/usr/bin/python3', [workload, server.url, phase, String(n), 'main'], py(mlflowDir));
      const r = await w('runs', runs);
      const m = await w('metrics', metrics);
      const t = Date.now();
      const per = Math.ceil(runs / clients);
      await Promise.all(Array.from({ length: clients }, (_, i) => run('/usr/bin/python3', [workload, server.url, 'runs', String(per), `c${i}`], py(mlflowDir))));
      const parallel = (per * clients) / ((Date.now() - t) / 1000);
      const s = await w('search', 0);
      out.client_only = { runs_per_s: runs / r.seconds, log_metric_per_s: metrics / m.seconds, log_metric_median_ms: m.log_metric_median_ms, parallel_runs_per_s: parallel, search_median_ms: s.median_ms, search_matched: s.matched };
      process.stderr.write(`bench server: client alone (a server that does nothing): ${JSON.stringify(out.client_only)}\n`);
    } finally {
      await server.stop();
    }
  }
  const a = out['git-ml'];
  const b = out.mlflow;
  out.ratios = {
    runs_write_speedup: a.runs_per_s / b.runs_per_s,
    log_metric_speedup: a.log_metric_per_s / b.log_metric_per_s,
    parallel_write_speedup: a.parallel_runs_per_s / b.parallel_runs_per_s,
    search_time_fraction: a.search_median_ms / b.search_median_ms,
    git_ml_log_metric_over_bare_http_ms: a.node_log_metric_median_ms - a.node_health_median_ms,
    mlflow_log_metric_over_bare_http_ms: b.node_log_metric_median_ms - b.node_health_median_ms,
    // the most any server could reach over mlflow server with this client, here
    runs_write_ceiling: out.client_only.runs_per_s / b.runs_per_s,
    log_metric_ceiling: out.client_only.log_metric_per_s / b.log_metric_per_s,
    parallel_write_ceiling: out.client_only.parallel_runs_per_s / b.parallel_runs_per_s,
    search_time_floor: out.client_only.search_median_ms / b.search_median_ms,
  };
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, d) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : d;
  };
  console.log(JSON.stringify(await trackingServerBench({ runs: arg('runs', 1000), metrics: arg('metrics', 10000), clients: arg('clients', 8) }), null, 2));
}
