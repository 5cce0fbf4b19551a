import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '@git-ml/gitstore';
import { parse as parseYaml } from 'yaml';
import { RUN_STATUSES, type Run, type RunStatus, type RunWindow, type ViewType } from '@git-ml/tracking';
import { gitOf } from '@git-ml/tracking/internal';
import type { AddRoute, ServerContext } from '../context.js';
import { experimentCache, findRun } from '../context.js';
import { invalidParameter, notFound } from '../errors.js';
import type { Fields } from '../request-fields.js';
import { runView } from '../views.js';

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const RUN_ID = /^[0-9a-f]{32}$/;

/** largest window of runs one request may ask for */
const MAX_WINDOW = 5000;
/** largest source diff sent to the browser; longer ones are cut and say so */
const MAX_DIFF_BYTES = 1024 * 1024;

const VIEWS: Record<string, ViewType> = { ACTIVE_ONLY: 'ACTIVE_ONLY', DELETED_ONLY: 'DELETED_ONLY', ALL: 'ALL', '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL' };

function viewType(f: Fields): ViewType {
  const raw = f.string('run_view_type') ?? 'ACTIVE_ONLY';
  const v = VIEWS[raw.toUpperCase()];
  if (!v) throw invalidParameter(`Invalid run_view_type '${raw}': ACTIVE_ONLY, DELETED_ONLY or ALL.`);
  return v;
}

/** A list given as repeated fields or as one comma-separated value. */
function list(f: Fields, name: string): string[] {
  const v = f.body[name];
  const items = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  return items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

function nonNegative(f: Fields, name: string, fallback: number): number {
  const raw = f.string(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw invalidParameter(`Invalid ${name} '${raw}': a whole number ≥ 0.`);
  return n;
}

function statuses(f: Fields): RunStatus[] {
  const out = list(f, 'statuses').map((s) => s.toUpperCase());
  for (const s of out) if (!RUN_STATUSES.includes(s as RunStatus)) throw invalidParameter(`Invalid status '${s}': one of ${RUN_STATUSES.join(', ')}.`);
  return out as RunStatus[];
}

function allRuns(ctx: ServerContext, experimentIds: string[], view: ViewType): Run[] {
  return ctx.client.searchRunsWindow(experimentIds, { runViewType: view, limit: Infinity, unordered: true }).runs;
}

/**
 * A scrolling table asks for many windows of one query in a row; each would filter and sort every
 * run again (≈ 0.3 s at 100 000 runs). The whole ordered result is kept for a moment instead — less
 * than the UI's live-refresh period, so a table never shows older data than its next refresh would.
 */
const ORDERED_TTL_MS = 1500;
const ORDERED_KEEP = 8;
const orderedByServer = new WeakMap<ServerContext, Map<string, { at: number; window: RunWindow }>>();

function orderedRuns(ctx: ServerContext, key: string, compute: () => RunWindow): RunWindow {
  let cache = orderedByServer.get(ctx);
  if (!cache) orderedByServer.set(ctx, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.at < ORDERED_TTL_MS) return hit.window;
  const window = compute();
  cache.delete(key);
  cache.set(key, { at: now, window });
  for (const [k, v] of cache) if (cache.size > ORDERED_KEEP || now - v.at >= ORDERED_TTL_MS) cache.delete(k);
  return window;
}

/**
 * Read endpoints for git-ml's web UI, beyond MLflow's API (under `/api/2.0/git-ml/` and
 * `/ajax-api/2.0/git-ml/`): windows of a run search with a total (virtual scrolling), run counts,
 * the keys present in an experiment, metric histories as columns, a run's source diff, and a
 * registered model's audit trail. All read-only.
 */
export function uiApiRoutes(add: AddRoute): void {
  add(['GET'], '/experiments/summary', (f, ctx) => {
    const experiments = ctx.client.searchExperiments({ viewType: viewType(f), maxResults: 50_000 });
    const stats = new Map<string, { runs: number; active: number; last: number }>();
    for (const run of allRuns(ctx, experiments.map((e) => e.experiment_id), 'ACTIVE_ONLY')) {
      const s = stats.get(run.info.experiment_id) ?? { runs: 0, active: 0, last: 0 };
      s.runs++;
      if (run.info.status === 'RUNNING') s.active++;
      s.last = Math.max(s.last, run.info.end_time ?? 0, run.info.start_time ?? 0);
      stats.set(run.info.experiment_id, s);
    }
    return {
      experiments: experiments.map((e) => {
        const s = stats.get(e.experiment_id);
        return { ...e, run_count: s?.runs ?? 0, running_count: s?.active ?? 0, last_activity: Math.max(s?.last ?? 0, e.last_update_time ?? 0) || null };
      }),
    };
  });

  add(['GET', 'POST'], '/runs/window', (f, ctx) => {
    const ids = list(f, 'experiment_ids');
    if (ids.length === 0) throw invalidParameter("Missing value for required parameter 'experiment_ids'.");
    const limit = nonNegative(f, 'limit', 100);
    if (limit > MAX_WINDOW) throw invalidParameter(`Invalid limit ${limit}: at most ${MAX_WINDOW} runs per window.`);
    const grouped = f.string('parent_run_id');
    const query = {
      filter: f.string('filter') ?? '',
      orderBy: list(f, 'order_by'),
      runViewType: viewType(f),
      statuses: statuses(f),
      parent: grouped !== undefined ? grouped : f.bool('group_nested') ? null : undefined,
    };
    const offset = nonNegative(f, 'offset', 0);
    const all = orderedRuns(ctx, JSON.stringify([ids, query]), () => ctx.client.searchRunsWindow(ids, { ...query, limit: Infinity }));
    const runs = all.runs.slice(offset, offset + limit);
    const exp = experimentCache(ctx);
    const childCounts: Record<string, number> = {};
    for (const r of runs) {
      const n = all.childCounts.get(r.info.run_id);
      if (n) childCounts[r.info.run_id] = n;
    }
    return {
      runs: runs.map((r) => runView(r, exp(r.info.experiment_id), ctx.locations)),
      total: all.total,
      child_counts: childCounts,
    };
  }, { repeated: ['order_by', 'experiment_ids', 'statuses'] });

  add(['GET'], '/runs/keys', (f, ctx) => {
    const ids = list(f, 'experiment_ids');
    if (ids.length === 0) throw invalidParameter("Missing value for required parameter 'experiment_ids'.");
    const params = new Set<string>();
    const metrics = new Set<string>();
    const tags = new Set<string>();
    for (const r of allRuns(ctx, ids, viewType(f))) {
      for (const p of r.data.params) params.add(p.key);
      for (const m of r.data.metrics) metrics.add(m.key);
      for (const t of r.data.tags) tags.add(t.key);
    }
    const sorted = (s: Set<string>) => [...s].sort();
    return { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) };
  }, { repeated: ['experiment_ids'] });

  // A metric's history as three columns (a tenth of get-history's bytes for long series), with its
  // count, min and max over every point. `max_points` thins the columns for display only — each
  // bucket keeps its first, lowest, highest and last point, so spikes stay visible. `offset` sends
  // only the points from that index on (histories only grow at the end): a live chart's refresh.
  add(['GET'], '/metrics/series', (f, ctx, _req, reply) => {
    const runId = f.string('run_id', true)!;
    const key = f.string('metric_key', true)!;
    const maxPoints = nonNegative(f, 'max_points', 0);
    if (!RUN_ID.test(runId)) throw notFound(`Run '${runId}' not found: run ids are 32 lowercase hex characters.`);
    let cols;
    try {
      // (no getRun first: a chart asks for many series, and the run's whole record is not needed)
      cols = ctx.client.getMetricColumns(runId, key);
    } catch (err) {
      if ((err as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') throw notFound(`Run '${runId}' not found.`);
      throw err;
    }
    const count = cols.value.length;
    let min = Infinity;
    let max = -Infinity;
    for (const v of cols.value) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const from = Math.min(nonNegative(f, 'offset', 0), count);
    const keep = maxPoints > 0 && count - from > maxPoints ? thin(count - from, maxPoints, (i) => cols.value[from + i]).map((i) => from + i) : null;
    const n = keep ? keep.length : count - from;
    const at = keep ? (j: number) => keep[j] : (j: number) => from + j;
    // `format=f64`: little-endian float64s [n, count, min, max, step × n, timestamp × n, value × n] —
    // no JSON to build or parse, NaN and ±Infinity as they are; written straight from the columns
    if (f.string('format') === 'f64') {
      const out = new Float64Array(4 + 3 * n);
      out.set([n, count, min, max]);
      for (let j = 0; j < n; j++) {
        const i = at(j);
        out[4 + j] = cols.step[i];
        out[4 + n + j] = cols.timestamp[i];
        out[4 + 2 * n + j] = cols.value[i];
      }
      return reply.type('application/octet-stream').send(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    }
    const column = (a: Float64Array) => Array.from({ length: n }, (_, j) => a[at(j)]);
    const [step, timestamp, value] = [column(cols.step), column(cols.timestamp), column(cols.value)];
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    return { run_id: runId, key, count, min: finite(min), max: finite(max), step, timestamp, value };
  });

  add(['GET'], '/runs/source', async (f, ctx) => {
    const run = findRun(ctx, f.string('run_id', true)!);
    const tag = (k: string) => run.data.tags.find((t) => t.key === k)?.value;
    const commit = tag('mlflow.source.git.commit') ?? null;
    const head = tag('git-ml.source.head') ?? null;
    const out: Record<string, unknown> = {
      commit,
      head,
      branch: tag('mlflow.source.git.branch') ?? null,
      dirty: tag('git-ml.source.dirty') === 'true',
      repo_url: tag('mlflow.source.git.repoURL') ?? null,
      snapshot_mode: tag('git-ml.source.snapshot') ?? null,
      omitted: parseJson(tag('git-ml.source.omitted')) ?? [],
    };
    // a dirty run's commit is a snapshot whose parent is the commit it was based on (`head`)
    // the tags are whatever a client set: only object ids ever reach git's command line
    if (commit && head && commit !== head && OBJECT_ID.test(commit) && OBJECT_ID.test(head)) {
      const git = gitOf(ctx.client);
      const r = await runGit(['--git-dir', git.gitDir, 'diff', '--no-color', '--no-ext-diff', '--no-textconv', head, commit, '--'], {});
      if (r.status === 0) {
        const cut = Buffer.byteLength(r.stdout) > MAX_DIFF_BYTES;
        // cut at the last whole line within the limit (never inside a character)
        const head1 = cut ? Buffer.from(r.stdout).subarray(0, MAX_DIFF_BYTES) : null;
        out.diff = head1 ? head1.subarray(0, head1.lastIndexOf(0x0a) + 1).toString() : r.stdout;
        out.diff_truncated = cut;
      } else {
        out.diff_error = `git diff ${head.slice(0, 12)} ${commit.slice(0, 12)} failed: ${r.stderr.trim() || `exit ${r.status}`} (are both commits in this clone? \`git-ml pull\` fetches them).`;
      }
    }
    return out;
  });

  // The models a run logged: every MLmodel file among its artifacts (top level and one folder down,
  // where log_model puts them), with flavors and the signature as JSON — read with a YAML parser,
  // since MLflow's files wrap long signature lines and spell tensor specs `tensor-spec`.
  add(['GET'], '/runs/logged-models', async (f, ctx) => {
    const runId = f.string('run_id', true)!;
    findRun(ctx, runId);
    const dirs = ['', ...ctx.client.listArtifacts(runId).filter((e) => e.is_dir).map((e) => e.path)];
    const models = [];
    for (const dir of dirs) {
      if (!ctx.client.listArtifacts(runId, dir || undefined).some((e) => !e.is_dir && e.path === (dir ? `${dir}/MLmodel` : 'MLmodel'))) continue;
      const tmp = await mkdtemp(join(tmpdir(), 'git-ml-mlmodel-'));
      try {
        const file = await ctx.client.downloadArtifacts(runId, dir ? `${dir}/MLmodel` : 'MLmodel', tmp);
        const text = await readFile(file, 'utf8');
        models.push({ artifact_path: dir, ...describeMlmodel(text) });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    return { models };
  });

  add(['GET'], '/registered-models/history', (f, ctx) => ({ events: ctx.registry.history(f.string('name', true)!) }));
}

/**
 * Indices of about `target` points that draw like all `n`: the range is cut into buckets and each
 * keeps its first, lowest, highest and last point (in order).
 */
export function thin(n: number, target: number, valueAt: (i: number) => number): number[] {
  const buckets = Math.max(1, Math.floor(target / 4));
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    if (from >= to) continue;
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      const v = valueAt(i);
      if (v < valueAt(lo)) lo = i;
      if (v > valueAt(hi)) hi = i;
    }
    for (const i of [...new Set([from, lo, hi, to - 1])].sort((a, c) => a - c)) out.push(i);
  }
  return out;
}

interface SignatureColumn {
  name?: string;
  type: string;
  /** for tensors: dtype and shape, e.g. float64[-1, 4] */
  spec?: string;
  required?: boolean;
}

/** An MLmodel file's flavors and signature, as JSON; a file that does not parse says so. */
export function describeMlmodel(text: string): { flavors: string[]; signature: { inputs: SignatureColumn[] | null; outputs: SignatureColumn[] | null } | null; error?: string } {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch (err) {
    return { flavors: [], signature: null, error: `MLmodel is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  const flavors = doc.flavors && typeof doc.flavors === 'object' ? Object.keys(doc.flavors as object) : [];
  const sig = doc.signature as Record<string, unknown> | undefined;
  if (!sig || typeof sig !== 'object') return { flavors, signature: null };
  const columns = (v: unknown): SignatureColumn[] | null => {
    const list = typeof v === 'string' ? (parseJson(v) as unknown) : v;
    if (!Array.isArray(list)) return null;
    return list.map((c: Record<string, unknown>) => {
      const t = (c['tensor-spec'] ?? c.tensor_spec) as { dtype?: string; shape?: number[] } | undefined;
      return {
        ...(typeof c.name === 'string' ? { name: c.name } : {}),
        type: String(c.type ?? 'unknown'),
        ...(t ? { spec: `${t.dtype ?? '?'}[${(t.shape ?? []).join(', ')}]` } : {}),
        ...(typeof c.required === 'boolean' ? { required: c.required } : {}),
      };
    });
  };
  return { flavors, signature: { inputs: columns(sig.inputs), outputs: columns(sig.outputs) } };
}

function parseJson(v: string | undefined): unknown {
  if (!v) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}
