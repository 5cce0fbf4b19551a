import type { RunStatus } from '@git-ml/tracking';
import { RUN_STATUSES, type DatasetInput } from '@git-ml/tracking';
import { activeRun, assertActiveRun, experimentCache, findRun, type AddRoute, type ServerContext } from '../context.js';
import { invalidParameter, notFound } from '../errors.js';
import { toDouble, type Fields } from '../request-fields.js';
import { runView } from '../views.js';
import { viewType } from './experiments.js';
import { ingestLocalArtifacts } from './artifacts.js';

/** MLflow's run tag listing the models logged in a run (`mlflow.log-model.history`). */
const LOGGED_MODELS = 'mlflow.log-model.history';

const STATUS_NUMBERS: Record<string, RunStatus> = { '1': 'RUNNING', '2': 'SCHEDULED', '3': 'FINISHED', '4': 'FAILED', '5': 'KILLED' };

function status(f: Fields): RunStatus | undefined {
  const v = f.body.status;
  if (v === undefined || v === null || v === '') return undefined;
  const s = STATUS_NUMBERS[String(v)] ?? (RUN_STATUSES.includes(v as RunStatus) ? (v as RunStatus) : undefined);
  if (!s) throw f.invalid('status');
  return s;
}

export function viewOf(ctx: ServerContext, runId: string) {
  const run = findRun(ctx, runId);
  return runView(run, ctx.client.getExperiment(run.info.experiment_id), ctx.locations);
}

/** A metric of a log-batch request; MLflow requires key, value and timestamp. */
function batchMetric(f: Fields, m: unknown) {
  const e = m as Record<string, unknown> | null;
  if (!e || typeof e !== 'object' || e.key === undefined || e.key === '' || e.value === undefined || e.value === null || e.timestamp === undefined || e.timestamp === null) throw f.invalid('metrics');
  const value = toDouble(e.value);
  const ts = Number(e.timestamp);
  const step = e.step === undefined || e.step === null ? 0 : Number(e.step);
  if (typeof e.key !== 'string' || value === undefined || !Number.isInteger(ts) || !Number.isInteger(step)) throw f.invalid('metrics');
  return { key: e.key, value, timestamp: ts, step };
}

export function runRoutes(add: AddRoute): void {
  add(['POST'], '/runs/create', (f, ctx) => {
    const experimentId = f.string('experiment_id') || '0';
    const startTime = f.int('start_time');
    const runName = f.string('run_name') || undefined;
    const tags = Object.fromEntries(f.keyValues('tags').map((t) => [t.key, t.value]));
    const userId = f.string('user_id') || tags['mlflow.user'] || 'unknown';
    let experiment;
    try {
      experiment = ctx.client.getExperiment(experimentId);
    } catch {
      throw notFound(`No Experiment with id=${experimentId} exists`);
    }
    const run = ctx.client.createRun(experimentId, { runName, tags, startTime: startTime || undefined, userId, recordSource: false, ownedByProcess: false });
    return { run: runView(run, experiment, ctx.locations) };
  });

  add(['GET'], '/runs/get', (f, ctx) => ({ run: viewOf(ctx, f.runId()) }));

  add(['POST'], '/runs/update', async (f, ctx) => {
    const runId = f.runId();
    const update = { status: status(f), endTime: f.int('end_time'), runName: f.string('run_name') || undefined };
    const before = findRun(ctx, runId);
    if (update.status && update.status !== 'RUNNING' && update.status !== 'SCHEDULED') await ingestLocalArtifacts(ctx, runId, before);
    ctx.client.updateRun(runId, update);
    return { run_info: (viewOf(ctx, runId) as { info: unknown }).info };
  });

  add(['POST'], '/runs/delete', (f, ctx) => {
    const runId = f.runId();
    findRun(ctx, runId);
    ctx.client.deleteRun(runId);
    return {};
  });

  add(['POST'], '/runs/restore', (f, ctx) => {
    const runId = f.runId();
    findRun(ctx, runId);
    ctx.client.restoreRun(runId);
    return {};
  });

  add(['POST'], '/runs/log-metric', (f, ctx) => {
    const runId = f.runId();
    const key = f.string('key', true)!;
    const value = f.double('value', true)!;
    const timestamp = f.int('timestamp', true);
    const step = f.int('step');
    assertActiveRun(ctx, runId);
    ctx.client.logMetric(runId, key, value, { timestamp, step });
    return {};
  });

  add(['POST'], '/runs/log-parameter', (f, ctx) => {
    const runId = f.runId();
    const key = f.string('key', true)!;
    const value = f.string('value') ?? '';
    assertActiveRun(ctx, runId);
    ctx.client.logParam(runId, key, value);
    return {};
  });

  add(['POST'], '/runs/set-tag', (f, ctx) => {
    const runId = f.runId();
    const key = f.string('key', true)!;
    const value = f.string('value') ?? '';
    assertActiveRun(ctx, runId);
    ctx.client.setTag(runId, key, value);
    return {};
  });

  add(['POST'], '/runs/delete-tag', (f, ctx) => {
    const runId = f.runId();
    const key = f.string('key', true)!;
    const run = activeRun(ctx, runId);
    if (!run.data.tags.some((t) => t.key === key)) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    ctx.client.deleteTag(runId, key);
    return {};
  });

  add(['POST'], '/runs/log-batch', (f, ctx) => {
    const runId = f.runId();
    const metrics = (f.array('metrics') ?? []).map((m) => batchMetric(f, m));
    const params = f.keyValues('params');
    const tags = f.keyValues('tags');
    assertActiveRun(ctx, runId);
    ctx.client.logBatch(runId, { metrics, params, tags });
    return {};
  });

  add(['POST'], '/runs/log-inputs', (f, ctx) => {
    const runId = f.runId();
    const datasets = f.array('datasets', true)!;
    assertActiveRun(ctx, runId);
    ctx.client.logInputs(runId, datasets as DatasetInput[]);
    return {};
  });

  add(['POST'], '/runs/log-model', (f, ctx) => {
    const runId = f.runId();
    const json = f.string('model_json', true)!;
    let model: unknown;
    try {
      model = JSON.parse(json);
    } catch {
      throw invalidParameter(`Malformed model info. \n ${json} \n is not a valid JSON.`);
    }
    const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((k) => !(model && typeof model === 'object' && k in model));
    if (missing.length) throw invalidParameter(`Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`);
    const run = activeRun(ctx, runId);
    const old = run.data.tags.find((t) => t.key === LOGGED_MODELS)?.value;
    let history: unknown[] = [];
    try {
      history = old ? (JSON.parse(old) as unknown[]) : [];
    } catch {
      history = [];
    }
    ctx.client.setTag(runId, LOGGED_MODELS, JSON.stringify([...history, model]));
    return {};
  });

  add(['GET', 'POST'], '/runs/search', (f, ctx) => {
    const ids = f.strings('experiment_ids') ?? [];
    const maxResults = f.int('max_results') ?? 1000;
    if (maxResults > 50_000 || maxResults < 0) throw f.invalid('max_results');
    const { runs, nextPageToken } = ctx.client.searchRuns(ids, f.string('filter') ?? '', {
      orderBy: f.strings('order_by'),
      maxResults: maxResults || 1000,
      pageToken: f.string('page_token') || undefined,
      runViewType: viewType(f, 'run_view_type'),
    });
    const exp = experimentCache(ctx);
    return { runs: runs.map((r) => runView(r, exp(r.info.experiment_id), ctx.locations)), ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
  }, { repeated: ['experiment_ids', 'order_by'] });

  add(['GET'], '/metrics/get-history', (f, ctx) => {
    const runId = f.runId();
    const key = f.string('metric_key', true)!;
    findRun(ctx, runId);
    const maxResults = f.int('max_results');
    const pageToken = f.string('page_token') || undefined;
    if (maxResults === undefined && !pageToken) return { metrics: ctx.client.getMetricHistory(runId, key) };
    const page = ctx.client.getMetricHistoryPage(runId, key, { maxResults, pageToken });
    return { metrics: page.metrics, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  });

  add(['GET'], '/metrics/get-history-bulk', (f, ctx) => {
    const runIds = f.strings('run_id') ?? [];
    if (runIds.length === 0) throw invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
    if (runIds.length > 100) throw invalidParameter(`GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received ${runIds.length} run_ids.`);
    const key = f.body.metric_key;
    if (typeof key !== 'string') throw invalidParameter('GetMetricHistoryBulk request must specify a metric_key.');
    const max = Math.min(f.int('max_results') ?? 25_000, 25_000);
    const out = [];
    for (const runId of [...runIds].sort()) {
      findRun(ctx, runId);
      const points = [...ctx.client.getMetricHistory(runId, key)].sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
      for (const m of points) out.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runId });
    }
    return { metrics: out.slice(0, max) };
  }, { repeated: ['run_id'] });

  add(['GET'], '/metrics/get-history-bulk-interval', (f, ctx) => {
    const runIds = f.strings('run_ids', true)!;
    if (runIds.length > 100) throw invalidParameter(`GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.`);
    const key = f.string('metric_key', true)!;
    let start = f.int('start_step');
    let end = f.int('end_step');
    const max = f.int('max_results') ?? 2500;
    if (max < 1 || max > 2500) throw invalidParameter('max_results must be between 1 and 2500.');
    if (start !== undefined && end !== undefined) {
      if (start > end) throw invalidParameter(`end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`);
    } else if (start !== undefined || end !== undefined) throw invalidParameter('If either start step or end step are specified, both must be specified.');
    const histories = runIds.map((id) => {
      findRun(ctx, id);
      return ctx.client.getMetricHistory(id, key);
    });
    const allSteps = [...new Set(histories.flatMap((h) => h.map((m) => m.step)))].sort((a, b) => a - b);
    if (start === undefined) {
      start = 0;
      end = allSteps.length ? allSteps[allSteps.length - 1] : 0;
    }
    const extremes = new Set<number>();
    for (const h of histories) {
      if (!h.length) continue;
      const steps = h.map((m) => m.step);
      for (const s of [Math.min(...steps), Math.max(...steps)]) if (s >= start && s <= end!) extremes.add(s);
    }
    const sampled = sampleSteps(start, end!, max, allSteps);
    for (const s of extremes) sampled.add(s);
    const out = [];
    for (let i = 0; i < runIds.length; i++) {
      const points = histories[i].filter((m) => sampled.has(m.step)).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      for (const m of points) out.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runIds[i] });
    }
    return { metrics: out };
  }, { repeated: ['run_ids'] });
}

/** MLflow's `_get_sampled_steps_from_steps`: evenly spaced steps in [start, end], always with the last. */
export function sampleSteps(start: number, end: number, max: number, all: number[]): Set<number> {
  const lo = all.findIndex((s) => s >= start);
  let hi = all.length;
  while (hi > 0 && all[hi - 1] > end) hi--;
  const from = lo < 0 ? all.length : lo;
  if (hi - from <= max) return new Set(all.slice(from, hi));
  const n = hi - from;
  const interval = n / max;
  const out = new Set<number>();
  for (let i = 0; i < max; i++) {
    const idx = from + Math.trunc(i * interval);
    if (idx < n) out.add(all[idx]);
  }
  out.add(all[hi - 1]);
  return out;
}
