#!/usr/bin/env node
// The workloads users actually run (issue 11 §4, issue 12 #8), with same-run baselines:
// training loops that yield between steps, a sweep of runs logging at once, processes at once,
// runs created by 1 vs 8 processes, and MLflow's FileStore side by side.
// Alone: node bench/loops.mjs [--steps 1000,10000] [--big] [--repeat 3] [--quick] (see --help)
// From npm run bench: bench/run.mjs calls loopsBench() with the same options.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareLoop, durableFloor, fastImportBaseline, historyRead, log, median, mlflowBench, MLFLOW_DEST, processesCreating, processesLogging, sweep, trainingLoop, KEYS } from './loops-workloads.mjs';
import { JUDGE_RUNS, JUDGE_STEPS, printLoops, targets } from './loops-report.mjs';

export { printLoops };
const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const HELP = `node bench/loops.mjs [options]
  --steps 1000,10000      steps of the training loops (5 metrics per step, one run)
  --big                   add the 100 000-step case to --steps
  --timer-steps LIST      steps of the 1 ms-timer loop (default: the --steps up to 10 000)
  --repeat 3              medians of this many repetitions
  --quick                 small scales to check the bench itself (steps 20,200; few runs)
  --budget 120            seconds one case may take; a loop past it stops and is reported as timed out
  --history-points 100000 points of the one-metric history read back for the ≤ 50 ms target
  --sweep-runs 16 --sweep-steps 1000      runs logging at once from one process, steps each
  --procs 4 --proc-steps 1000             processes logging a run each at once, steps each
  --create-procs 8 --create-runs 200      runs created by 1 process vs N processes (runs each), in a tight
                                          loop and in one that yields (setImmediate) after each run
  --mlflow-runs 200 --mlflow-calls 2000   MLflow FileStore workload sizes (0 skips MLflow)
  --mlflow-pythonpath P   MLflow's PYTHONPATH (default: MLFLOW_PYTHONPATH, PYTHONPATH, then ${MLFLOW_DEST})
  --only PARTS            some of: loops,history,sweep,procs,create,mlflow (default: all)
Targets that depend on scale are not judged below ${JUDGE_STEPS} steps or ${JUDGE_RUNS} runs per process: fixed costs dominate there.`;

const PARTS = ['loops', 'history', 'sweep', 'procs', 'create', 'mlflow'];

/** The options of this module from a command line (bench/run.mjs passes its own argv). */
export function loopOptions(argv) {
  const has = (n) => argv.includes(`--${n}`);
  const opt = (n, d) => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
  };
  const list = (s) => String(s).split(',').filter(Boolean).map(Number);
  const quick = has('quick');
  let steps = list(opt('steps', quick ? '20,200' : '1000,10000'));
  if (has('big') && !steps.includes(100000)) steps.push(100000);
  steps = [...new Set(steps)].sort((a, b) => a - b);
  return {
    quick,
    steps,
    timerSteps: opt('timer-steps', null) ? list(opt('timer-steps')) : steps.filter((s) => s <= 10000),
    repeat: Number(opt('repeat', '3')),
    budgetMs: Number(opt('budget', '120')) * 1000,
    historyPoints: Number(opt('history-points', '100000')),
    sweepRuns: Number(opt('sweep-runs', '16')),
    sweepSteps: Number(opt('sweep-steps', quick ? '20' : '1000')),
    procs: Number(opt('procs', '4')),
    procSteps: Number(opt('proc-steps', quick ? '50' : '1000')),
    createProcs: Number(opt('create-procs', '8')),
    createRuns: Number(opt('create-runs', quick ? '20' : '200')),
    mlflowRuns: Number(opt('mlflow-runs', quick ? '30' : '200')),
    mlflowCalls: Number(opt('mlflow-calls', quick ? '200' : '2000')),
    mlflowPythonPath: opt('mlflow-pythonpath', process.env.MLFLOW_PYTHONPATH ?? null),
    only: opt('only', PARTS.join(',')).split(',').filter((p) => PARTS.includes(p)),
  };
}

// ---- the whole module

const MEDIAN_FIELDS = ['loop_ms', 'total_ms', 'values_per_s', 'git_bytes', 'git_disk_bytes', 'git_added_bytes', 'git_added_disk_bytes', 'objects', 'loose_objects', 'packs', 'metric_text_bytes', 'history_cold_ms', 'history_warm_ms', 'steps_done'];

function medianOf(rows) {
  const out = { mode: rows[0].mode, steps: rows[0].steps, repeats: rows.length, timed_out: rows.some((r) => r.timed_out) };
  for (const f of MEDIAN_FIELDS) out[f] = median(rows.map((r) => r[f]));
  out.values = out.steps_done * KEYS.length;
  return out;
}

/** Runs every workload of this module; returns the figures and the target table. */
export async function loopsBench(opts) {
  const res = { options: { ...opts, mlflowPythonPath: undefined }, loops: [], baselines: [] };
  const want = (part) => opts.only.includes(part);
  const gaveUp = new Set();
  for (const steps of want('loops') ? opts.steps : []) {
    const modes = ['tight', 'immediate', ...(opts.timerSteps.includes(steps) ? ['timer'] : [])].filter((m) => !gaveUp.has(m));
    const rows = Object.fromEntries(modes.map((m) => [m, []]));
    const fi = [];
    const bare = { immediate: [], timer: [] };
    const floor = [];
    for (let rep = 0; rep < opts.repeat; rep++) {
      for (const mode of modes) {
        if (rep > 0 && rows[mode].some((r) => r.timed_out)) continue;
        log(`${steps} steps, ${mode} loop, repetition ${rep + 1}/${opts.repeat}…`);
        const r = await trainingLoop(mode, steps, opts.budgetMs);
        if (r.timed_out) log(`  timed out after ${r.steps_done} of ${steps} steps (--budget ${opts.budgetMs / 1000} s)`);
        if (mode === 'tight') fi.push(fastImportBaseline(r.texts));
        delete r.texts;
        rows[mode].push(r);
        if (mode !== 'tight') bare[mode].push(await bareLoop(mode, steps));
        if (mode === 'immediate') floor.push(await durableFloor(mode, steps));
      }
    }
    for (const mode of modes) {
      const m = medianOf(rows[mode]);
      if (mode !== 'tight') m.bare_loop_ms = median(bare[mode]);
      if (mode === 'immediate') m.write_floor_values_per_s = median(floor);
      res.loops.push(m);
      if (m.timed_out) gaveUp.add(mode);
    }
    res.baselines.push({ steps, fast_import_ms: median(fi.map((x) => x.ms)), git_added_bytes: median(fi.map((x) => x.git_added_bytes)), git_added_disk_bytes: median(fi.map((x) => x.git_added_disk_bytes)), objects: median(fi.map((x) => x.objects)) });
  }

  if (want('history')) {
    log(`history of ${opts.historyPoints} points…`);
    res.history = await historyRead(opts.historyPoints, opts.repeat);
  }

  const sw = [];
  const pr = [];
  // a case past its budget is not repeated: its figure is already known to miss
  const again = (xs) => !xs.some((x) => x.timed_out);
  for (let rep = 0; rep < opts.repeat; rep++) {
    if (want('sweep') && again(sw)) {
      log(`sweep: ${opts.sweepRuns} runs × ${opts.sweepSteps} steps in one process, repetition ${rep + 1}…`);
      sw.push(await sweep(opts.sweepRuns, opts.sweepSteps, opts.budgetMs));
    }
    if (want('procs') && again(pr)) {
      log(`${opts.procs} processes × ${opts.procSteps} steps, repetition ${rep + 1}…`);
      pr.push(await processesLogging(opts.procs, opts.procSteps, opts.budgetMs));
    }
  }
  const pick = (xs, f) => ({ ...xs[0], timed_out: xs.some((x) => x.timed_out), ms: median(xs.map((x) => x.ms)), values_per_s: median(xs.map((x) => x[f])) });
  if (sw.length) res.sweep = pick(sw, 'values_per_s');
  if (pr.length) res.processes = pick(pr, 'values_per_s');

  const pickC = (xs) => ({ ...xs[0], timed_out: xs.some((x) => x.timed_out), ms: median(xs.map((x) => x.ms)), runs_per_s: median(xs.map((x) => x.runs_per_s)) });
  if (want('create')) {
    res.create = {};
    for (const variant of ['tight', 'yielding']) {
      const c1 = [];
      const cn = [];
      for (let rep = 0; rep < opts.repeat; rep++) {
        log(`runs created, ${variant} loop: 1 process × ${opts.createRuns}, repetition ${rep + 1}…`);
        c1.push(await processesCreating(1, opts.createRuns, opts.budgetMs, variant === 'yielding'));
        if (!again(cn)) continue;
        log(`runs created, ${variant} loop: ${opts.createProcs} processes × ${opts.createRuns}, repetition ${rep + 1}…`);
        cn.push(await processesCreating(opts.createProcs, opts.createRuns, opts.budgetMs, variant === 'yielding'));
      }
      res.create[variant] = { one: pickC(c1), many: pickC(cn) };
    }
  }

  if (want('mlflow')) {
    log('MLflow FileStore…');
    res.mlflow = mlflowBench(opts);
  }
  res.targets = targets(res, opts);
  return res;
}

if (process.argv[1] === SELF) {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) console.log(HELP);
  else {
    const opts = loopOptions(argv);
    const res = await loopsBench(opts);
    printLoops(res);
    const out = join(HERE, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'loops.json'), JSON.stringify(res, null, 2));
    console.log('\nJSON: bench/results/loops.json');
  }
}
