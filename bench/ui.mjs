#!/usr/bin/env node
// The web UI in a real browser (Debian's Chromium through playwright-core), timed with the app's own
// performance marks: runs table first rows after navigation, sort and filter on the server, scroll to
// the end (how many pages were fetched), and a chart of many runs × many points to first draw.
// Usage: node bench/ui.mjs [--ui-runs 1000,10000] [--chart-runs 10] [--chart-points 100000] [--repeat 5]
import { existsSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MlClient } from '@git-ml/tracking';
import { startServer } from '@git-ml/server';
import { newBenchRepo, runBatch } from './run-batch.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function uiOptions(args) {
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  return {
    runs: opt('ui-runs', '1000,10000').split(',').map(Number).filter((n) => n > 0),
    chartRuns: Number(opt('chart-runs', '10')),
    chartPoints: Number(opt('chart-points', '100000')),
    repeat: Number(opt('repeat', '5')),
    repo: opt('ui-repo', undefined),
    experiment: opt('ui-experiment', undefined),
  };
}

function fillRuns(repo, n) {
  const c = new MlClient({ repo });
  const exp = c.createExperiment(`ui-${n}`);
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const r = c.createRun(exp, { runName: `run-${String(i).padStart(6, '0')}`, startTime: 1_750_000_000_000 + i });
    c.logBatch(r.info.run_id, runBatch(i));
    c.setTerminated(r.info.run_id, 'FINISHED', 1_750_000_000_000 + i + 1000 + (i % 977));
  }
  c.flush();
  c.close();
  return { exp, fill_s: (performance.now() - t) / 1000 };
}

function fillCharts(repo, runs, points) {
  const c = new MlClient({ repo });
  const exp = c.createExperiment('ui-charts');
  const ids = [];
  for (let k = 0; k < runs; k++) {
    const id = c.createRun(exp, { runName: `curve-${k}` }).info.run_id;
    for (let s = 0; s < points; s += 1000) {
      const metrics = [];
      for (let j = s; j < Math.min(points, s + 1000); j++) metrics.push({ key: 'loss', value: Math.exp(-j / points) + 0.05 * Math.sin(j / 50 + k), step: j, timestamp: 1_750_000_000_000 + j * 10 });
      c.logBatch(id, { metrics });
    }
    c.setTerminated(id);
    ids.push(id);
  }
  c.flush();
  c.close();
  return ids;
}

/** Waits until the page has `n` marks of `name`; resolves with the last one's startTime and detail. */
async function mark(page, name, n, timeout = 60_000) {
  await page.waitForFunction(([name, n]) => performance.getEntriesByName(name).length >= n, [name, n], { timeout });
  return page.evaluate((name) => {
    const all = performance.getEntriesByName(name);
    const m = all[all.length - 1];
    return { at: m.startTime, detail: m.detail };
  }, name);
}

/** Time from an action in the page to the next `git-ml:runs-rows` mark. */
async function timed(page, action) {
  const before = await page.evaluate(() => performance.getEntriesByName('git-ml:runs-rows').length);
  const t0 = await page.evaluate(() => performance.now());
  await action();
  const m = await mark(page, 'git-ml:runs-rows', before + 1);
  return m.at - t0;
}

/** First rows, sort, filter (medians of `repeat` page loads) and a scroll to the end, for one experiment of `n` runs. */
async function tableTimes(browser, url, exp, n, repeat) {
  const first = [];
  const sort = [];
  const filter = [];
  let scroll = null;
  for (let r = 0; r < repeat; r++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/#/experiments/${exp}?nested=0&cols=metrics.acc,metrics.loss,params.model`);
    first.push((await mark(page, 'git-ml:runs-rows', 1)).at);
    sort.push(await timed(page, () => page.click(`.vt-head [data-col="metrics.loss"]`)));
    const box = page.getByLabel('filter');
    await box.fill(r % 2 ? "params.model = '3' AND metrics.acc > 0.5" : "metrics.acc > 0.5 OR params.model = '7'");
    filter.push(await timed(page, () => box.press('Enter')));
    if (r === 0) {
      // back to every run, then to the bottom of the table: count the pages fetched on the way
      await box.fill('');
      await timed(page, () => box.press('Enter'));
      const t0 = performance.now();
      await page.getByTestId('runs-table').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForFunction((n) => document.querySelector(`.vt-row[data-index="${n - 1}"]`), n, { timeout: 30_000 });
      const pages = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/runs/window')).length);
      scroll = { to_end_ms: performance.now() - t0, window_requests: pages, pages_in_all: Math.ceil(n / 100) };
    }
    await page.close();
  }
  return { first_rows_ms: median(first), sort_ms: median(sort), filter_ms: median(filter), scroll };
}

export async function uiBench(options) {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install chromium)` };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const out = { repeat: options.repeat, tables: [], chart: null, mlflow_ui: 'not measured: the MLflow source here ships without its built JavaScript UI' };
  try {
    if (options.repo) {
      // an existing repository (e.g. one with 100 000 runs made once): --ui-repo DIR --ui-experiment ID
      const server = await startServer({ repo: options.repo, port: 0 });
      const n = server.client.searchRunsWindow(options.experiment, { limit: 0 }).total;
      out.tables.push({ runs: n, ...(await tableTimes(browser, server.url, options.experiment, n, options.repeat)) });
      await server.close();
    }
    for (const n of options.repo ? [] : options.runs) {
      const repo = newBenchRepo('git-ml-bench-ui-');
      const { exp, fill_s } = fillRuns(repo, n);
      const server = await startServer({ repo, port: 0 });
      const times = await tableTimes(browser, server.url, exp, n, options.repeat);
      out.tables.push({ runs: n, fill_s, ...times });
      await server.close();
      rmSync(repo, { recursive: true, force: true });
    }
    if (options.chartRuns > 0) {
      const repo = newBenchRepo('git-ml-bench-ui-chart-');
      const t = performance.now();
      const ids = fillCharts(repo, options.chartRuns, options.chartPoints);
      const fill_s = (performance.now() - t) / 1000;
      const server = await startServer({ repo, port: 0 });
      const drawn = [];
      const full = [];
      let points = 0;
      for (let r = 0; r < options.repeat; r++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.goto(`${server.url}/#/charts?runs=${ids.join(',')}&keys=loss`);
        const m = await mark(page, 'git-ml:charts-drawn', 1, 120_000);
        drawn.push(m.at);
        full.push((await mark(page, 'git-ml:charts-all-points', 1, 120_000)).at);
        points = m.detail.points;
        // interactive: a zoom redraw from the full data
        const t0 = await page.evaluate(() => performance.now());
        await page.evaluate(() => (location.hash = location.hash.replace(/&zoom=[^&]*/, '') + '&zoom=1000,2000'));
        await page.waitForFunction(() => document.querySelector('.u-legend') && location.hash.includes('zoom'));
        const t1 = await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => res(performance.now()))));
        if (r === 0) out.zoom_ms = t1 - t0;
        await page.close();
      }
      out.chart = { runs: options.chartRuns, points_per_run: options.chartPoints, points_drawn_from: points, fill_s, first_draw_ms: median(drawn), first_draw_cold_ms: drawn[0], all_points_ms: median(full), all_ms: drawn };
      await server.close();
      rmSync(repo, { recursive: true, force: true });
    }
  } finally {
    await browser.close();
  }
  return out;
}

export function printUi(r) {
  if (r.skipped) return console.log(`\nweb UI: skipped (${r.skipped})`);
  const f = (x) => (typeof x === 'number' ? x.toFixed(0) : String(x));
  console.log(`\nweb UI in Chromium (medians of ${r.repeat}, from the app's performance marks):`);
  console.log('runs      first rows ms   sort ms   filter ms   scroll to end ms (window requests / pages in all)');
  for (const t of r.tables) console.log(`${String(t.runs).padEnd(8)}  ${f(t.first_rows_ms).padStart(13)}   ${f(t.sort_ms).padStart(7)}   ${f(t.filter_ms).padStart(9)}   ${f(t.scroll?.to_end_ms)} (${t.scroll?.window_requests} / ${t.scroll?.pages_in_all})`);
  if (r.chart) console.log(`chart of ${r.chart.runs} runs × ${r.chart.points_per_run} points: first draw ${f(r.chart.first_draw_ms)} ms after navigation (cold server: ${f(r.chart.first_draw_cold_ms)} ms), all ${r.chart.points_drawn_from} points loaded ${f(r.chart.all_points_ms)} ms; zoom redraw ${f(r.zoom_ms)} ms`);
  console.log(`MLflow's UI: ${r.mlflow_ui}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await uiBench(uiOptions(process.argv.slice(2)));
  printUi(r);
  console.log(JSON.stringify(r));
}
