// The target table of bench/loops.mjs (issue 11 §4, issue 12 #8) and the printed report.

/** Below these sizes fixed costs (the first fold, the source snapshot) dominate: figures are shown, not judged. */
export const JUDGE_STEPS = 1000;
export const JUDGE_RUNS = 100;

// ---- targets

export function targets(res, opts) {
  const rows = [];
  const add = (target, figure, pass, note = '') => rows.push({ target, figure, pass, note });
  const loop = (mode, steps) => res.loops.find((l) => l.mode === mode && l.steps === steps);
  const f = (x, d = 0) => (x === null || x === undefined ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
  const to = (l) => (l.timed_out ? ` (timed out: ${l.steps_done} of ${l.steps} steps)` : '');
  // below JUDGE_STEPS a figure is shown but not judged (pass = null)
  const small = `not judged below ${f(JUDGE_STEPS)} steps`;
  const judge = (steps, ok) => (steps < JUDGE_STEPS ? null : ok);
  const note = (steps, n = '') => [n, steps < JUDGE_STEPS ? small : ''].filter(Boolean).join('; ');
  for (const steps of opts.steps) {
    const t = loop('tight', steps);
    for (const mode of ['immediate', 'timer']) {
      const y = loop(mode, steps);
      if (!t || !y) continue;
      // per value, since a timed-out loop logged fewer steps
      const ratio = (y.total_ms / y.values) / (t.total_ms / t.values);
      if (mode === 'immediate') add(`${steps} steps: setImmediate loop within 3× of the tight loop`, `${f(ratio, 2)}×${to(y)}`, judge(steps, !y.timed_out && ratio <= 3), note(steps));
      else {
        // the 1 ms timer alone caps the loop; compare what logging adds to the bare timer loop
        const extra = (y.total_ms - y.bare_loop_ms * (y.steps_done / y.steps)) / y.values;
        add(`${steps} steps: 1 ms-timer loop, logging time within 3× of the tight loop`, `${f(extra / (t.total_ms / t.values), 2)}×${to(y)}`, judge(steps, !y.timed_out && extra <= 3 * (t.total_ms / t.values)), note(steps, `bare timer loop ${f(y.bare_loop_ms)} ms`));
      }
    }
    const y = loop('immediate', steps);
    if (y) {
      add(`${steps} steps: setImmediate loop ≥ 50 000 values/s`, `${f(y.values_per_s)}${to(y)}`, judge(steps, !y.timed_out && y.values_per_s >= 50000), note(steps));
      add(`${steps} steps: .git growth ≤ 3× the metric text (setImmediate loop)`, `${f(y.git_added_disk_bytes / y.metric_text_bytes, 2)}× (${f(y.git_added_disk_bytes / 1024)} KiB on disk / ${f(y.metric_text_bytes / 1024)} KiB text)`, judge(steps, y.git_added_disk_bytes <= 3 * y.metric_text_bytes), note(steps));
    }
  }
  for (let i = 1; i < opts.steps.length; i++) {
    const [a, b] = [opts.steps[i - 1], opts.steps[i]];
    const [ya, yb] = [loop('immediate', a), loop('immediate', b)];
    const k = b / a;
    const limit = 1.2 * k;
    if (ya && !yb) {
      add(`${a} → ${b} steps (${f(k)}×): time and .git grow ≤ ${f(limit, 1)}×`, `not measured: ${a} steps timed out`, judge(a, false), note(a));
      continue;
    }
    if (!ya || !yb) continue;
    const tr = (yb.total_ms / ya.total_ms) * (ya.steps_done / yb.steps_done) * k; // as if both finished
    const br = yb.git_added_disk_bytes / ya.git_added_disk_bytes;
    const ok = !ya.timed_out && !yb.timed_out;
    add(`${a} → ${b} steps (${f(k)}×): time grows ≤ ${f(limit, 1)}×`, `${f(tr, 1)}×${to(yb)}`, judge(a, ok && tr <= limit), note(a));
    add(`${a} → ${b} steps (${f(k)}×): .git grows ≤ ${f(limit, 1)}×`, `${f(br, 1)}×${to(yb)}`, judge(a, ok && br <= limit), note(a));
  }
  const h = res.history;
  if (h) {
    const judged = h.points >= 100000;
    add(`history of ${f(h.points)} points ≤ 50 ms, as columns (new process)`, `${f(h.columns_cold_ms, 1)} ms (warm ${f(h.columns_warm_ms, 1)} ms)`, judged ? h.columns_cold_ms <= 50 : null, judged ? '' : 'not judged: the target is for 100 000 points');
    add(`history of ${f(h.points)} points ≤ 50 ms, as Metric objects (new process)`, `${f(h.cold_ms, 1)} ms (warm ${f(h.warm_ms, 1)} ms)`, judged ? h.cold_ms <= 50 : null, judged ? '' : 'not judged: the target is for 100 000 points');
  }
  const fewRuns = res.create && opts.createRuns < JUDGE_RUNS ? `not judged below ${JUDGE_RUNS} runs per process` : '';
  for (const [variant, cv] of Object.entries(res.create ?? {})) {
    const cr = cv.many.runs_per_s / cv.one.runs_per_s;
    add(`runs created, ${variant} loop: ${cv.many.procs} processes together ≥ 80 % of 1 process`, `${f(cr * 100)} % (${f(cv.many.runs_per_s, 1)} vs ${f(cv.one.runs_per_s, 1)} runs/s)${cv.many.timed_out ? ' (timed out)' : ''}`, fewRuns ? null : !cv.many.timed_out && cr >= 0.8, fewRuns);
  }
  // against MLflow: the loop that yields between runs, as a sweep driver does (the tight loop in the note)
  const c = res.create?.yielding;
  const m = res.mlflow;
  if (m?.skipped) add('git-ml / MLflow FileStore', 'skipped', null, m.skipped);
  else if (m) {
    if (c) {
      const rr = c.one.runs_per_s / m.create_runs_per_s;
      const tight = res.create.tight.one.runs_per_s / m.create_runs_per_s;
      add('runs created ≥ 20× MLflow FileStore (1 process, yielding loop)', `${f(rr, 1)}× (${f(c.one.runs_per_s)} vs ${f(m.create_runs_per_s)} runs/s)`, fewRuns ? null : rr >= 20, [`tight loop: ${f(tight, 1)}×`, fewRuns].filter(Boolean).join('; '));
    }
    const big = [...opts.steps].reverse().find((s) => s <= 10000 && loop('immediate', s)) ?? opts.steps[0];
    const y = loop('immediate', big);
    const t = loop('tight', big);
    if (y) {
      const lr = y.values_per_s / m.log_metric_calls_per_s;
      const ceiling = y.write_floor_values_per_s ? `; ceiling: the same loop doing nothing but one write(2) per value, ${f(y.write_floor_values_per_s)} values/s = ${f(y.write_floor_values_per_s / m.log_metric_calls_per_s, 1)}×` : '';
      add(`durable logMetric ≥ 100× MLflow FileStore (setImmediate loop, ${big} steps, incl. flush)`, `${f(lr, 1)}× (${f(y.values_per_s)} vs ${f(m.log_metric_calls_per_s)} calls/s)`, judge(big, lr >= 100), note(big, `${t ? `tight loop: ${f(t.values_per_s / m.log_metric_calls_per_s, 1)}×` : ''}${ceiling}`));
    }
  }
  return rows;
}

// ---- printing

export function printLoops(res) {
  const f = (x, d = 0) => (x === null || x === undefined ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
  const kib = (x) => f(x / 1024);
  if (res.loops.length) {
    console.log(`\nTraining loops: 5 metrics per step through MlClient.logMetric, one run (medians of ${res.options.repeat})\n`);
    console.log('steps     loop        total ms   values/s   .git KiB (disk)   added KiB   objects (loose)   text KiB   history ms cold/warm   bare await ms');
    for (const l of res.loops) {
      console.log(
        `${String(l.steps_done === l.steps ? l.steps : `${l.steps_done}/${l.steps}`).padEnd(9)} ${l.mode.padEnd(10)} ${f(l.total_ms).padStart(9)}   ${f(l.values_per_s).padStart(8)}   ${`${kib(l.git_bytes)} (${kib(l.git_disk_bytes)})`.padStart(15)}   ${kib(l.git_added_disk_bytes).padStart(9)}   ${`${f(l.objects)} (${f(l.loose_objects)})`.padStart(15)}   ${kib(l.metric_text_bytes).padStart(8)}   ${`${f(l.history_cold_ms, 1)}/${f(l.history_warm_ms, 1)}`.padStart(20)}   ${f(l.bare_loop_ms).padStart(13)}`,
      );
    }
    console.log('\nC git baseline: the same metric text as 5 blobs + a tree + one commit through one `git fast-import` (process start included)');
    for (const b of res.baselines) console.log(`  ${String(b.steps).padEnd(7)} ${f(b.fast_import_ms, 1)} ms, .git +${kib(b.git_added_disk_bytes)} KiB on disk, ${b.objects} objects`);
  }
  const h = res.history;
  if (h) console.log(`\nhistory of ${f(h.points)} points (one metric, first read in a new process): as columns ${f(h.columns_cold_ms, 1)} ms (warm ${f(h.columns_warm_ms, 1)}); as Metric objects ${f(h.cold_ms, 1)} ms (warm ${f(h.warm_ms, 1)})`);
  const s = res.sweep;
  const p = res.processes;
  // baseline: the single-run setImmediate loop at the same number of steps, when it was measured
  const single = (steps) => {
    const l = res.loops.find((x) => x.mode === 'immediate' && x.steps === steps);
    return l ? `; one run alone: ${f(l.values_per_s)} values/s` : '';
  };
  if (s) console.log(`sweep: ${s.runs} runs × ${s.steps} steps logging at once in one process: ${f(s.values_per_s)} values/s (${f(s.ms)} ms)${s.timed_out ? ' — timed out' : ''}${single(s.steps)}`);
  if (p) console.log(`processes: ${p.procs} × ${p.steps} steps, one run each, at once: ${f(p.values_per_s)} values/s in total (${f(p.ms)} ms)${p.timed_out ? ' — timed out' : ''}${single(p.steps)}`);
  for (const [variant, c] of Object.entries(res.create ?? {})) {
    console.log(`runs created, ${variant} loop (createRun + logBatch of 3 metrics, 5 params + setTerminated): 1 process ${f(c.one.runs_per_s, 1)} runs/s; ${c.many.procs} processes ${f(c.many.runs_per_s, 1)} runs/s in total${c.many.timed_out ? ' — timed out' : ''}`);
  }
  const m = res.mlflow;
  if (m) console.log(m.skipped ? `MLflow: skipped — ${m.skipped}` : `MLflow ${m.version} FileStore: ${f(m.create_runs_per_s, 1)} runs created/s (${m.runs} runs), ${f(m.log_metric_calls_per_s)} log_metric calls/s (${m.calls} calls)`);
  console.log('\nTargets\n');
  const w = Math.max(...res.targets.map((t) => t.target.length));
  for (const t of res.targets) console.log(`${t.pass === null ? '----' : t.pass ? 'PASS' : 'FAIL'}  ${t.target.padEnd(w)}  ${t.figure}${t.note ? `  [${t.note}]` : ''}`);
}
