// The workloads of bench/loops.mjs: training loops, their baselines, runs and processes at once, MLflow.
// Each runs in fresh temporary repositories and returns its figures; bench/loops.mjs repeats and judges them.
// Run with --child, this file is one of the processes at once (bench/loops.mjs forks it).
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MlClient } from '@git-ml/tracking';
import { newBenchRepo, runBatch } from './run-batch.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
export const KEYS = ['loss', 'acc', 'val_loss', 'val_acc', 'lr'];
export const MLFLOW_DEST = '/tmp/mlflow-py';

// ---- helpers

export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const log = (msg) => process.stderr.write(`bench/loops: ${msg}\n`);

const newRepo = () => newBenchRepo('git-ml-loops-');

/** `du` of a directory, nothing excluded: apparent bytes (`du -sb`) and disk usage (`du -sB1`). */
function du(dir) {
  const n = (a) => Number(execFileSync('du', [a, dir], { encoding: 'utf8' }).split('\t')[0]);
  return { bytes: n('-sb'), disk: n('-sB1') };
}

/** Loose and packed object counts from `git count-objects -v`. */
function countObjects(gitDir) {
  const out = execFileSync('git', ['--git-dir', gitDir, 'count-objects', '-v'], { encoding: 'utf8' });
  const f = Object.fromEntries(out.trim().split('\n').map((l) => l.split(': ')));
  return { loose: Number(f.count), packed: Number(f['in-pack']), packs: Number(f.packs) };
}

const value = (k, s) => (k === 4 ? 0.001 * 0.5 ** Math.floor(s / 1000) : k % 2 ? 1 - 1 / (2 + s * 0.01) + 0.001 * Math.sin(s * 7.1 + k) : 1 / (1 + s * 0.01) + 0.001 * Math.cos(s * 3.3 + k));
const nextTurn = { immediate: () => new Promise(setImmediate), timer: () => new Promise((r) => setTimeout(r, 1)), tight: null };

/** Logs 5 metrics per step on one run; `wait` between steps. Stops early past the budget. */
async function logSteps(c, id, steps, wait, deadline) {
  let done = 0;
  for (let s = 0; s < steps; s++) {
    for (let k = 0; k < KEYS.length; k++) c.logMetric(id, KEYS[k], value(k, s), { step: s });
    done++;
    if (wait) await wait();
    if ((s & 15) === 15 && performance.now() > deadline) break;
  }
  return done;
}

/** Reads every metric back with a fresh client: counts checked, text size, and the read time of one. */
async function readBack(repo, id, expected) {
  const c = new MlClient({ repo });
  let t = performance.now();
  const first = await c.getMetricHistory(id, KEYS[0]);
  const coldMs = performance.now() - t;
  const warm = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    await c.getMetricHistory(id, KEYS[0]);
    warm.push(performance.now() - t);
  }
  let textBytes = 0;
  const texts = [];
  for (const k of KEYS) {
    const h = k === KEYS[0] ? first : await c.getMetricHistory(id, k);
    if (h.length !== expected) throw new Error(`run ${id}: read back ${h.length} points of ${k}, logged ${expected}`);
    const text = h.map((m) => `${m.timestamp} ${m.value} ${m.step}\n`).join('');
    textBytes += Buffer.byteLength(text);
    texts.push([k, text]);
  }
  await c.close();
  return { coldMs, warmMs: median(warm), textBytes, texts };
}

// ---- one training loop

export async function trainingLoop(mode, steps, budgetMs) {
  const repo = newRepo();
  const gitDir = join(repo, '.git');
  const before = du(gitDir);
  const c = new MlClient({ repo });
  const id = c.createRun('0', { runName: `loop-${mode}-${steps}` }).info.run_id;
  const t0 = performance.now();
  const done = await logSteps(c, id, steps, nextTurn[mode], t0 + budgetMs);
  const loopMs = performance.now() - t0;
  c.setTerminated(id);
  await c.flush();
  const totalMs = performance.now() - t0;
  await c.close();
  const after = du(gitDir);
  const objects = countObjects(gitDir);
  const back = await readBack(repo, id, done);
  rmSync(repo, { recursive: true, force: true });
  const values = done * KEYS.length;
  return {
    mode, steps, steps_done: done, timed_out: done < steps, values,
    loop_ms: loopMs, total_ms: totalMs, values_per_s: values / (totalMs / 1000),
    git_bytes: after.bytes, git_disk_bytes: after.disk,
    git_added_bytes: after.bytes - before.bytes, git_added_disk_bytes: after.disk - before.disk,
    objects: objects.loose + objects.packed, loose_objects: objects.loose, packs: objects.packs,
    metric_text_bytes: back.textBytes, history_cold_ms: back.coldMs, history_warm_ms: back.warmMs,
    texts: back.texts,
  };
}

/** The same loop with nothing logged: what the awaits alone cost. */
export async function bareLoop(mode, steps) {
  const t0 = performance.now();
  const wait = nextTurn[mode];
  for (let s = 0; s < steps; s++) if (wait) await wait();
  return performance.now() - t0;
}

/**
 * The floor of any logger that makes each value durable before its call returns, in Node: the same
 * loop, each value's line (the shape of git-ml's journal lines) written with one `write(2)` and
 * nothing else — no validation, no fold, no commit. Values/s.
 */
export async function durableFloor(mode, steps) {
  const dir = mkdtempSync(join(tmpdir(), 'git-ml-loops-floor-'));
  const fd = openSync(join(dir, 'lines.jsonl'), 'a');
  const runId = '0123456789abcdef0123456789abcdef';
  const wait = nextTurn[mode];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    for (let k = 0; k < KEYS.length; k++) writeSync(fd, `{"r":"${runId}","op":"m","k":"${KEYS[k]}","v":${value(k, s)},"t":${Date.now()},"s":${s}}\n`);
    if (wait) await wait();
  }
  const ms = performance.now() - t0;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return (steps * KEYS.length) / (ms / 1000);
}

/** C git's floor for the write: the final metric files as blobs + a tree + one commit, in one `git fast-import`. */
export function fastImportBaseline(texts) {
  const dir = mkdtempSync(join(tmpdir(), 'git-ml-loops-fi-'));
  execFileSync('git', ['init', '-q', '--bare', dir]);
  const before = du(dir);
  const parts = [];
  texts.forEach(([, text], i) => parts.push(`blob\nmark :${i + 1}\ndata ${Buffer.byteLength(text)}\n${text}\n`));
  parts.push(`commit refs/heads/run\ncommitter bench <bench@localhost> ${Math.floor(Date.now() / 1000)} +0000\ndata 4\nrun\n`);
  texts.forEach(([k], i) => parts.push(`M 100644 :${i + 1} metrics/${k}\n`));
  parts.push('\n');
  const input = parts.join('');
  const t = performance.now();
  execFileSync('git', ['--git-dir', dir, 'fast-import', '--quiet'], { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  const after = du(dir);
  const objects = countObjects(dir);
  rmSync(dir, { recursive: true, force: true });
  return { ms, git_added_bytes: after.bytes - before.bytes, git_added_disk_bytes: after.disk - before.disk, objects: objects.loose + objects.packed };
}

/** A tight loop logging one metric `points` times, then the history read back by a fresh client. */
export async function historyRead(points, repeat) {
  const repo = newRepo();
  let c = new MlClient({ repo });
  const id = c.createRun('0', { runName: 'history' }).info.run_id;
  for (let s = 0; s < points; s++) c.logMetric(id, 'loss', value(0, s), { step: s });
  c.setTerminated(id);
  await c.close();
  // cold: the first read of a new process (nothing cached in memory); warm: the reads after it.
  // Read as `Metric` objects (getMetricHistory) and, in another new process, as number columns
  // (getMetricColumns: what charts and the server's series endpoint use).
  const script = (call) => `import { MlClient } from '@git-ml/tracking';
const c = new MlClient({ repo: ${JSON.stringify(repo)} });
const read = () => c.${call}(${JSON.stringify(id)}, 'loss');
let t = performance.now();
const h = read();
const cold = performance.now() - t;
const warm = [];
for (let j = 0; j < 3; j++) { t = performance.now(); read(); warm.push(performance.now() - t); }
c.close();
process.stdout.write(JSON.stringify({ n: h.length ?? h.value.length, cold, warm }));`;
  const measure = (call) => {
    const cold = [];
    const warm = [];
    for (let i = 0; i < repeat; i++) {
      const r = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script(call)], { cwd: HERE, encoding: 'utf8' }));
      if (r.n !== points) throw new Error(`history: ${call} read back ${r.n} points, logged ${points}`);
      cold.push(r.cold);
      warm.push(...r.warm);
    }
    return { cold: median(cold), warm: median(warm) };
  };
  const objects = measure('getMetricHistory');
  const columns = measure('getMetricColumns');
  rmSync(repo, { recursive: true, force: true });
  return { points, cold_ms: objects.cold, warm_ms: objects.warm, columns_cold_ms: columns.cold, columns_warm_ms: columns.warm };
}

// ---- many runs at once

export async function sweep(runs, steps, budgetMs) {
  const repo = newRepo();
  const c = new MlClient({ repo });
  const ids = Array.from({ length: runs }, (_, i) => c.createRun('0', { runName: `sweep-${i}` }).info.run_id);
  const t0 = performance.now();
  const done = await Promise.all(
    ids.map(async (id) => {
      const n = await logSteps(c, id, steps, nextTurn.immediate, t0 + budgetMs);
      c.setTerminated(id);
      return n;
    }),
  );
  await c.flush();
  const ms = performance.now() - t0;
  await c.close();
  const r = new MlClient({ repo });
  for (const [i, id] of ids.entries()) {
    const got = (await r.getMetricHistory(id, KEYS[0])).length;
    if (got !== done[i]) throw new Error(`sweep: run ${id} read back ${got} points, logged ${done[i]}`);
  }
  await r.close();
  rmSync(repo, { recursive: true, force: true });
  const values = done.reduce((a, b) => a + b, 0) * KEYS.length;
  return { runs, steps, timed_out: done.some((n) => n < steps), values, ms, values_per_s: values / (ms / 1000) };
}

/** Starts `n` child processes on one task, releases them together, and times them from release to the last done. */
async function together(n, task) {
  const kids = Array.from({ length: n }, () => fork(SELF, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const ready = kids.map((k) => new Promise((res, rej) => {
    k.once('message', (m) => (m.ready ? res() : rej(new Error(JSON.stringify(m)))));
    k.once('exit', (code) => rej(new Error(`child exited with ${code} before it was ready`)));
  }));
  kids.forEach((k) => k.send(task));
  await Promise.all(ready);
  const finished = kids.map((k) => new Promise((res, rej) => {
    k.on('message', (m) => (m.done ? res(m) : m.error && rej(new Error(m.error))));
    k.on('exit', (code) => code !== 0 && rej(new Error(`child exited with ${code}`)));
  }));
  const t0 = performance.now();
  kids.forEach((k) => k.send({ go: true }));
  const reports = await Promise.all(finished);
  const ms = performance.now() - t0;
  await Promise.all(kids.map((k) => (k.exitCode !== null ? null : new Promise((res) => k.once('exit', res)))));
  return { ms, reports };
}

export async function processesLogging(procs, steps, budgetMs) {
  const repo = newRepo();
  const { ms, reports } = await together(procs, { task: 'log', repo, steps, budgetMs });
  const r = new MlClient({ repo });
  for (const rep of reports) {
    const got = (await r.getMetricHistory(rep.id, KEYS[0])).length;
    if (got !== rep.done) throw new Error(`processes: run ${rep.id} read back ${got} points, logged ${rep.done}`);
  }
  await r.close();
  rmSync(repo, { recursive: true, force: true });
  const values = reports.reduce((a, r) => a + r.done, 0) * KEYS.length;
  return { procs, steps, timed_out: reports.some((r) => r.done < steps), values, ms, values_per_s: values / (ms / 1000) };
}

export async function processesCreating(procs, runs, budgetMs, yielding) {
  const repo = newRepo();
  const c = new MlClient({ repo });
  const exp = c.createExperiment('concurrency');
  await c.close();
  const { ms, reports } = await together(procs, { task: 'create', repo, exp, runs, budgetMs, yielding });
  const created = reports.reduce((a, r) => a + r.done, 0);
  const r = new MlClient({ repo });
  const found = (await r.searchRuns(exp, '', { maxResults: 50000 })).runs.length;
  await r.close();
  if (found !== created) throw new Error(`create: ${created} runs created, ${found} found`);
  rmSync(repo, { recursive: true, force: true });
  return { procs, runs_each: runs, yielding, created, timed_out: created < procs * runs, ms, runs_per_s: created / (ms / 1000) };
}

// ---- MLflow's FileStore, same machine, same moment

function mlflowPythonPath(given) {
  const candidates = [given, process.env.PYTHONPATH, `${MLFLOW_DEST}/src:${MLFLOW_DEST}/deps:${MLFLOW_DEST}`].filter(Boolean);
  return candidates.find((pp) => pp.split(':').some((p) => existsSync(join(p, 'mlflow', '__init__.py')))) ?? null;
}

export function mlflowBench(opts) {
  if (opts.mlflowRuns <= 0 && opts.mlflowCalls <= 0) return { skipped: 'disabled (--mlflow-runs 0 --mlflow-calls 0)' };
  const pp = mlflowPythonPath(opts.mlflowPythonPath);
  if (!pp) return { skipped: `MLflow's source not found (run \`bash /work/shared/mlflow-python/setup.sh\`, then pass --mlflow-pythonpath or MLFLOW_PYTHONPATH)` };
  if (!existsSync('/usr/bin/python3')) return { skipped: '/usr/bin/python3 not found' };
  const p = spawnSync('/usr/bin/python3', [join(HERE, 'mlflow_filestore.py'), String(opts.mlflowRuns), String(opts.mlflowCalls), String(opts.repeat)], {
    env: { ...process.env, PYTHONPATH: pp, MLFLOW_TRACKING_URI: '', GIT_PYTHON_REFRESH: 'quiet' },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (p.status !== 0) return { skipped: `MLflow run failed (exit ${p.status}): ${(p.stderr || '').trim().split('\n').slice(-3).join(' | ')}` };
  const r = JSON.parse(p.stdout.trim().split('\n').pop());
  return { version: r.mlflow, runs: r.runs, calls: r.calls, create_runs_per_s: median(r.create_runs_per_s), log_metric_calls_per_s: median(r.log_metric_calls_per_s) };
}

// ---- child process (one of the processes at once)

async function child() {
  const task = await new Promise((res) => process.once('message', res));
  const go = () => new Promise((res) => process.once('message', res));
  try {
    const c = new MlClient({ repo: task.repo });
    if (task.task === 'log') {
      const id = c.createRun('0', { runName: `proc-${process.pid}` }).info.run_id;
      process.send({ ready: true });
      await go();
      const t0 = performance.now();
      const done = await logSteps(c, id, task.steps, nextTurn.immediate, t0 + task.budgetMs);
      c.setTerminated(id);
      await c.flush();
      process.send({ done, id, ms: performance.now() - t0 });
    } else {
      process.send({ ready: true });
      await go();
      const t0 = performance.now();
      let done = 0;
      for (let i = 0; i < task.runs && performance.now() - t0 < task.budgetMs; i++, done++) {
        const id = c.createRun(task.exp, { runName: `run-${process.pid}-${i}` }).info.run_id;
        c.logBatch(id, runBatch(i));
        c.setTerminated(id);
        if (task.yielding) await new Promise(setImmediate);
      }
      await c.flush();
      process.send({ done, ms: performance.now() - t0 });
    }
    await c.close();
    process.disconnect();
  } catch (err) {
    process.send({ error: err.stack ?? String(err) });
    process.exitCode = 1;
    process.disconnect();
  }
}

if (process.argv[1] === SELF && process.argv.includes('--child')) await child();
