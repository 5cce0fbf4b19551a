#!/usr/bin/env node
// git-ml's benchmark: the tracking hot paths at several scales, with C git as a same-machine baseline.
// Usage: npm run bench [-- --scales 1000,10000,100000 --repeat 5 --registry-tags 10000 --serve-seconds 5]
//        training loops, sweeps, processes at once and MLflow side by side (bench/loops.mjs, `--no-loops` skips):
//        [-- --steps 1000,10000 --big --quick --budget 120 --mlflow-pythonpath P]; its medians use --repeat too (default 3)
//        the web UI in Chromium (bench/ui.mjs, `--no-ui` skips): [-- --ui-runs 1000,10000 --chart-runs 10 --chart-points 100000]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MlClient } from '@git-ml/tracking';
import { GitStore } from '@git-ml/gitstore';
import { loopOptions, loopsBench, printLoops } from './loops.mjs';
import { registryBench } from './registry.mjs';
import { serveBench } from './serve.mjs';
import { trackingServerBench } from './server.mjs';
import { printUi, uiBench, uiOptions } from './ui.mjs';
import { flavorCases } from './flavors.mjs';
import { onnxOverheadBench } from '../plugins/flavor-onnx/bench.mjs';
import { newBenchRepo, runBatch } from './run-batch.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const scales = opt('scales', '1000,10000,100000').split(',').map(Number);
const repeat = Number(opt('repeat', '5'));
const registryTags = Number(opt('registry-tags', '10000'));
const serveSeconds = Number(opt('serve-seconds', '5'));
const serverRuns = Number(opt('server-runs', '1000'));
const serverMetrics = Number(opt('server-metrics', '10000'));
const serverClients = Number(opt('server-clients', '8'));
const FILTER = "metrics.acc > 0.5 and params.model = '3'";
const ORDER = ['metrics.f1 DESC'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const time = (fn) => {
  const t = performance.now();
  const r = fn();
  return [performance.now() - t, r];
};

const newRepo = () => newBenchRepo('git-ml-bench-');

function createRuns(repo, n) {
  const c = new MlClient({ repo });
  const exp = c.createExperiment(`bench-${n}`);
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const r = c.createRun(exp, { runName: `run-${i}` });
    const id = r.info.run_id;
    c.logBatch(id, runBatch(i));
    c.setTerminated(id);
  }
  c.flush();
  const ms = performance.now() - t;
  c.close();
  return { exp, ms };
}

function searchBench(repo, exp) {
  // cold: a fresh client with the index deleted (rebuilt from refs) and with the index on disk
  rmSync(join(repo, '.git', 'ml', 'index'), { recursive: true, force: true });
  let c = new MlClient({ repo });
  const [rebuild, res] = time(() => c.searchRuns(exp, FILTER, { orderBy: ORDER, maxResults: 50000 }));
  c.close();
  const colds = [];
  for (let i = 0; i < repeat; i++) {
    c = new MlClient({ repo });
    colds.push(time(() => c.searchRuns(exp, FILTER, { orderBy: ORDER, maxResults: 50000 }))[0]);
    c.close();
  }
  c = new MlClient({ repo });
  c.searchRuns(exp, FILTER, { orderBy: ORDER });
  const warms = [];
  for (let i = 0; i < Math.max(repeat, 10); i++) warms.push(time(() => c.searchRuns(exp, FILTER, { orderBy: ORDER, maxResults: 50000 }))[0]);
  c.close();
  return { rebuild_ms: rebuild, cold_ms: median(colds), warm_ms: median(warms), matched: res.runs.length };
}

function metricBench(repo) {
  const c = new MlClient({ repo });
  const run = c.createRun('0', { runName: 'metrics' });
  const id = run.info.run_id;
  const N = 10000;
  const rates = [];
  for (let rep = 0; rep < repeat; rep++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) c.logMetric(id, `m${rep}`, Math.sin(i), { step: i });
    rates.push(N / ((performance.now() - t) / 1000));
  }
  c.setTerminated(id);
  c.flush();
  const reads = [];
  let points = 0;
  for (let i = 0; i < Math.max(repeat, 10); i++) {
    const [ms, h] = time(() => c.getMetricHistory(id, 'm0'));
    reads.push(ms);
    points = h.length;
  }
  c.close();
  return { log_calls_per_s: median(rates), history_ms: median(reads), history_points: points };
}

// Baseline on the same machine, same moment: C git reading the same 1000 run.yaml blobs in one batch.
async function catFileBaseline(repo, exp) {
  const git = GitStore.open(repo);
  const refs = [...git.refs.list(`refs/ml/runs/${exp}/`).values()].slice(0, 1000);
  const blobs = refs.map((c) => git.objects.readTree(git.objects.readCommit(c).tree).find((e) => e.name === 'run.yaml').oid);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < repeat; i++) {
    const fresh = GitStore.open(repo);
    ours.push(time(() => blobs.forEach((b) => fresh.objects.readBlob(b)))[0]);
    const t = performance.now();
    await new Promise((res, rej) => {
      const p = spawn('git', ['cat-file', '--batch'], { cwd: repo });
      let got = 0;
      p.stdout.on('data', (d) => (got += d.length));
      p.on('close', (code) => (code === 0 ? res(got) : rej(new Error('cat-file failed'))));
      p.stdin.end(blobs.join('\n') + '\n');
    });
    theirs.push(performance.now() - t);
  }
  return { blobs: blobs.length, gitml_ms: median(ours), git_cat_file_batch_ms: median(theirs) };
}

const results = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, repeat, scales: [] };
for (const n of scales) {
  const repo = newRepo();
  process.stderr.write(`bench: ${n} runs…\n`);
  const { exp, ms } = createRuns(repo, n);
  const search = searchBench(repo, exp);
  const row = { runs: n, create_runs_per_s: n / (ms / 1000), create_ms: ms, search };
  if (n === scales[0]) {
    row.metrics = metricBench(repo);
    row.read_baseline = await catFileBaseline(repo, exp);
    execFileSync('git', ['gc', '-q'], { cwd: repo });
    row.read_baseline_packed = await catFileBaseline(repo, exp);
    row.search_after_gc = searchBench(repo, exp);
  }
  results.scales.push(row);
  rmSync(repo, { recursive: true, force: true });
}

if (!args.includes('--no-loops')) {
  process.stderr.write('bench: training loops, sweeps, processes at once, MLflow side by side (bench/loops.mjs)…\n');
  results.loops = await loopsBench(loopOptions(args));
}

if (registryTags > 0) {
  process.stderr.write(`bench: registry with ${registryTags} version tags…\n`);
  const repo = newRepo();
  results.registry = await registryBench(repo, registryTags, repeat, median);
  rmSync(repo, { recursive: true, force: true });
}

if (serveSeconds > 0) {
  process.stderr.write('bench: serving (tree, linear and ONNX models)…\n');
  results.serve = await serveBench(await flavorCases(), { seconds: serveSeconds });
  results.onnx_overhead = await onnxOverheadBench({ repeat: 3000 });
}

if (serverRuns > 0) {
  process.stderr.write(`bench: tracking servers, MLflow's Python client: mlflow server (SQLite) vs git-ml server…\n`);
  results.tracking_server = await trackingServerBench({ runs: serverRuns, metrics: serverMetrics, clients: serverClients });
}

if (!args.includes('--no-ui')) {
  process.stderr.write('bench: the web UI in Chromium (bench/ui.mjs)…\n');
  results.ui = await uiBench(uiOptions(args));
}

const fmt = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : String(x));
console.log('\ngit-ml benchmark (medians of', repeat, 'runs where repeated)\n');
console.log('runs     create runs/s   search rebuild ms   search cold ms   search warm ms   matched');
for (const r of results.scales) {
  console.log(
    `${String(r.runs).padEnd(8)} ${fmt(r.create_runs_per_s, 0).padStart(13)}   ${fmt(r.search.rebuild_ms).padStart(17)}   ${fmt(r.search.cold_ms).padStart(14)}   ${fmt(r.search.warm_ms, 2).padStart(14)}   ${r.search.matched}`,
  );
}
const first = results.scales[0];
console.log(`\nlogMetric: ${fmt(first.metrics.log_calls_per_s, 0)} durable calls/s; getMetricHistory of ${first.metrics.history_points} points: ${fmt(first.metrics.history_ms, 2)} ms`);
console.log(`read ${first.read_baseline.blobs} run.yaml blobs, loose: git-ml ${fmt(first.read_baseline.gitml_ms)} ms vs git cat-file --batch ${fmt(first.read_baseline.git_cat_file_batch_ms)} ms`);
console.log(`read ${first.read_baseline_packed.blobs} run.yaml blobs, packed: git-ml ${fmt(first.read_baseline_packed.gitml_ms)} ms vs git cat-file --batch ${fmt(first.read_baseline_packed.git_cat_file_batch_ms)} ms`);
console.log(`search after git gc: rebuild ${fmt(first.search_after_gc.rebuild_ms)} ms, warm ${fmt(first.search_after_gc.warm_ms, 2)} ms`);
const rg = results.registry;
if (rg) {
  console.log(`\nregistry: ${rg.tags} tags over ${rg.models} models, registered at ${fmt(rg.register_per_s, 0)} versions/s; index rebuild ${fmt(rg.index_rebuild_ms)} ms`);
  console.log(`  resolve alias: ${fmt(rg.alias_cold_ms, 2)} ms fresh client, ${fmt(rg.alias_warm_ms, 3)} ms warm; after another process registered: ${fmt(rg.alias_after_change_ms)} ms`);
  console.log(`  list a model's versions: ${fmt(rg.list_versions_cold_ms, 2)} ms fresh client, ${fmt(rg.list_versions_warm_ms, 3)} ms warm`);
  console.log(`  baseline: git tag -l '<model>@v*' (C git, incl. process start): ${fmt(rg.git_tag_list_ms, 2)} ms`);
}
if (results.serve) {
  console.log('\nserving /invocations on 127.0.0.1 (autocannon, 16 keep-alive connections, same machine):');
  console.log('model                     rows/request   requests/s   p50 ms   p99 ms   errors');
  for (const r of results.serve) {
    console.log(`${r.model.padEnd(25)} ${String(r.rows_per_request).padStart(12)}   ${fmt(r.requests_per_s, 0).padStart(10)}   ${String(r.p50_ms).padStart(6)}   ${String(r.p99_ms).padStart(6)}   ${r.errors}`);
  }
  console.log(`ONNX flavor overhead over a bare InferenceSession.run: ${JSON.stringify(results.onnx_overhead)}`);
}
if (results.loops) printLoops(results.loops);
const ts = results.tracking_server;
if (ts?.skipped) console.log(`\ntracking server: skipped (${ts.skipped})`);
else if (ts) {
  console.log(`\ntracking server, MLflow's Python client (${ts.runs} runs, ${ts.metrics} log_metric, ${ts.clients} clients):`);
  console.log('server           runs/s   log_metric/s   8 clients runs/s   search ms   log-metric − /health ms (Node)');
  for (const k of ['mlflow', 'git-ml']) {
    const r = ts[k];
    console.log(`${k.padEnd(15)} ${fmt(r.runs_per_s).padStart(7)}   ${fmt(r.log_metric_per_s).padStart(12)}   ${fmt(r.parallel_runs_per_s).padStart(16)}   ${fmt(r.search_median_ms).padStart(9)}   ${fmt(r.node_log_metric_median_ms - r.node_health_median_ms, 2)}`);
  }
  const c = ts.client_only;
  console.log(`${'client alone'.padEnd(15)} ${fmt(c.runs_per_s).padStart(7)}   ${fmt(c.log_metric_per_s).padStart(12)}   ${fmt(c.parallel_runs_per_s).padStart(16)}   (a server that does nothing: the client's own cost)`);
  const q = ts.ratios;
  console.log(`git-ml / mlflow: runs ${fmt(q.runs_write_speedup, 2)}× (ceiling with this client ${fmt(q.runs_write_ceiling, 2)}×), log_metric ${fmt(q.log_metric_speedup, 2)}× (ceiling ${fmt(q.log_metric_ceiling, 2)}×), 8 clients ${fmt(q.parallel_write_speedup, 2)}× (ceiling ${fmt(q.parallel_write_ceiling, 2)}×), search time ${fmt(q.search_time_fraction, 2)}× (floor ${fmt(q.search_time_floor, 2)}×: the client reading the same answer)`);
}
if (results.ui) printUi(results.ui);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), JSON.stringify(results, null, 2));
console.log(`\nJSON: bench/results/latest.json\n${JSON.stringify(results)}`);
