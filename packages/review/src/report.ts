import { GitMlError, gitOrThrow, runGitSync } from '@git-ml/gitstore';
import type { RegistryClient } from '@git-ml/registry';
import { runRef, type MlClient, type Run } from '@git-ml/tracking';

export type Direction = 'min' | 'max';

export interface MetricSpec {
  key: string;
  direction: Direction;
}

export interface ReportRun {
  run_id: string;
  run_name: string;
  experiment_id: string;
  experiment: string;
  status: string;
  /** the code commit the run ran on (HEAD when it was logged; the dirty snapshot is in `snapshot`) */
  commit: string;
  snapshot?: string;
  start_time: number;
  params: Record<string, string>;
  metrics: Record<string, number>;
  /** how to look at it */
  inspect: { cli: string; git: string };
}

export interface Comparison {
  run_id: string;
  metric: string;
  value: number | null;
  base: number | null;
  delta: number | null;
  verdict: 'better' | 'worse' | 'same' | 'n/a';
}

export interface Report {
  base: { ref: string; commit: string };
  head: { ref: string; commit: string };
  experiment: string | null;
  metrics: MetricSpec[];
  /** runs whose code commit is on the branch but not on the base, newest first */
  runs: ReportRun[];
  /** the best base run by the first metric (null when the base has no run with it) */
  baseline: ReportRun | null;
  baseRunCount: number;
  comparisons: Comparison[];
  registry: {
    versions: { name: string; version: string; run_id: string; source: string; aliases: string[] }[];
    aliasMoves: { name: string; alias: string; version: string; user: string; timestamp: number }[];
  };
  /** metric histories of the baseline and the branch runs, for charts: run id → metric → points */
  histories: Record<string, Record<string, { step: number; value: number }[]>>;
}

export interface ReportOptions {
  /** the base ref (default: the remote's default branch, else main/master) */
  base?: string;
  experiment?: string;
  /** `key`, `key:min` or `key:max`; default every metric the branch's runs have (at most 8) */
  metrics?: string[];
}

const LOWER_IS_BETTER = /(loss|error|err|mse|rmse|mae|mape|perplexity|latency|time|duration|cost|wer|cer)(_|$|\b)/i;

/** Loss-like names go down, everything else (accuracy, f1, auc, r2…) goes up; `key:min` / `key:max` override. */
export function parseMetricSpec(spec: string): MetricSpec {
  const m = /^(.*?)(?::(min|max))?$/.exec(spec.trim());
  if (!m || !m[1].trim()) throw new GitMlError('INVALID_PARAMETER_VALUE', `Invalid --metric '${spec}': use KEY, KEY:min (lower is better) or KEY:max.`, { field: 'metric' });
  return { key: m[1], direction: (m[2] as Direction | undefined) ?? (LOWER_IS_BETTER.test(m[1]) ? 'min' : 'max') };
}

function revList(cwd: string, range: string[]): Set<string> {
  const r = runGitSync(['rev-list', ...range], { cwd: cwd });
  if (r.status !== 0) throw new GitMlError('UNKNOWN_REF', `Cannot list commits of ${range.join(' ')}: ${r.stderr.trim()}. Check the --base ref (e.g. --base origin/main).`, { range });
  return new Set(r.stdout.split('\n').filter(Boolean));
}

/** The remote's default branch (`origin/HEAD`), else a local or remote main/master. */
export function defaultBase(cwd: string): string {
  const head = runGitSync(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], { cwd: cwd });
  if (head.status === 0 && head.stdout.trim()) return head.stdout.trim();
  for (const c of ['origin/main', 'origin/master', 'main', 'master']) {
    if (runGitSync(['rev-parse', '--verify', '--quiet', `${c}^{commit}`], { cwd: cwd }).status === 0) return c;
  }
  throw new GitMlError('UNKNOWN_REF', 'Could not find a base branch (origin/HEAD, origin/main, main, master). Pass --base REF.');
}

function toReportRun(r: Run, experimentName: string): ReportRun {
  const tags = Object.fromEntries(r.data.tags.map((t) => [t.key, t.value]));
  const snap = tags['mlflow.source.git.commit'];
  const commit = tags['git-ml.source.head'] ?? snap ?? '';
  return {
    run_id: r.info.run_id,
    run_name: r.info.run_name,
    experiment_id: r.info.experiment_id,
    experiment: experimentName,
    status: r.info.status,
    commit,
    ...(snap && snap !== commit ? { snapshot: snap } : {}),
    start_time: r.info.start_time,
    params: Object.fromEntries(r.data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, m.value])),
    inspect: { cli: `git-ml runs show ${r.info.run_id}`, git: `git log -p ${runRef(r.info.experiment_id, r.info.run_id)}` },
  };
}

const better = (d: Direction, a: number, b: number) => (d === 'min' ? a < b : a > b);

/** Compares the branch's runs with the best run of the base: the data behind the markdown and JSON reports. */
export function buildReport(client: MlClient, registry: RegistryClient | null, options: ReportOptions = {}): Report {
  const cwd = client.repoPath;
  const base = options.base ?? defaultBase(cwd);
  const baseCommit = runGitSync(['rev-parse', '--verify', '--quiet', `${base}^{commit}`], { cwd: cwd }).stdout.trim();
  if (!baseCommit) throw new GitMlError('UNKNOWN_REF', `Unknown base '${base}'. Pass a branch, tag or commit with --base (e.g. --base origin/main).`, { base });
  const headRef = runGitSync(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: cwd }).stdout.trim() || 'HEAD';
  const headCommit = gitOrThrow(['rev-parse', 'HEAD'], { cwd: cwd }).stdout.trim();
  const onBranch = revList(cwd, [`${baseCommit}..${headCommit}`]);
  const onBase = revList(cwd, [baseCommit]);

  const experiments = client.searchExperiments();
  let expIds = experiments.map((e) => e.experiment_id);
  if (options.experiment) {
    const e = client.getExperimentByName(options.experiment);
    if (!e) throw new GitMlError('RESOURCE_DOES_NOT_EXIST', `Experiment '${options.experiment}' not found. List them with \`git-ml experiments list\`.`, { experiment: options.experiment });
    expIds = [e.experiment_id];
  }
  const names = new Map(experiments.map((e) => [e.experiment_id, e.name]));
  const all = expIds.length ? client.searchRuns(expIds, '', { maxResults: 50_000 }).runs.map((r) => toReportRun(r, names.get(r.info.experiment_id) ?? r.info.experiment_id)) : [];
  const runs = all.filter((r) => onBranch.has(r.commit)).sort((a, b) => b.start_time - a.start_time);
  const baseRuns = all.filter((r) => onBase.has(r.commit));

  const metrics = (options.metrics?.length ? options.metrics : [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort().slice(0, 8)).map((m) =>
    typeof m === 'string' ? parseMetricSpec(m) : m,
  );
  const primary = metrics[0];
  let baseline: ReportRun | null = null;
  if (primary) {
    for (const r of baseRuns) {
      const v = r.metrics[primary.key];
      if (v === undefined || Number.isNaN(v)) continue;
      if (!baseline || better(primary.direction, v, baseline.metrics[primary.key])) baseline = r;
    }
  }
  const comparisons: Comparison[] = [];
  for (const r of runs) {
    for (const m of metrics) {
      const value = r.metrics[m.key] ?? null;
      const b = baseline?.metrics[m.key] ?? null;
      const delta = value !== null && b !== null ? value - b : null;
      const verdict = delta === null || Number.isNaN(delta) ? 'n/a' : delta === 0 ? 'same' : better(m.direction, value!, b!) ? 'better' : 'worse';
      comparisons.push({ run_id: r.run_id, metric: m.key, value, base: b, delta, verdict });
    }
  }

  const histories: Report['histories'] = {};
  for (const r of [...(baseline ? [baseline] : []), ...runs.slice(0, 6)]) {
    histories[r.run_id] = Object.fromEntries(metrics.map((m) => [m.key, client.getMetricHistory(r.run_id, m.key).map((p) => ({ step: p.step, value: p.value }))]));
  }
  return {
    base: { ref: base, commit: baseCommit },
    head: { ref: headRef, commit: headCommit },
    experiment: options.experiment ?? null,
    metrics,
    runs,
    baseline,
    baseRunCount: baseRuns.length,
    comparisons,
    registry: registry ? registryChanges(registry, new Set(runs.map((r) => r.run_id))) : { versions: [], aliasMoves: [] },
    histories,
  };
}

/** Versions registered from the branch's runs, and alias moves onto them. */
function registryChanges(registry: RegistryClient, runIds: Set<string>): Report['registry'] {
  const out: Report['registry'] = { versions: [], aliasMoves: [] };
  if (runIds.size === 0) return out;
  const versions = registry.searchModelVersions({ maxResults: 50_000 }).model_versions.filter((v) => runIds.has(v.run_id));
  out.versions = versions.map((v) => ({ name: v.name, version: v.version, run_id: v.run_id, source: v.source, aliases: v.aliases }));
  for (const name of new Set(versions.map((v) => v.name))) {
    const mine = new Set(versions.filter((v) => v.name === name).map((v) => v.version));
    for (const e of registry.history(name)) {
      if (e.action === 'set_alias' && e.version && mine.has(e.version)) out.aliasMoves.push({ name, alias: e.alias!, version: e.version, user: e.user, timestamp: e.timestamp });
    }
  }
  return out;
}
