import { LIMITS, type Experiment, type Run } from '@git-ml/tracking';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatNumber, formatTime, runDuration } from '../output/format.js';
import { toJson } from '../output/json.js';
import { formatTable, type Column } from '../output/table.js';
import { parsePositiveInt, repeatable } from '../parse/flags.js';
import { mustFindExperiment } from '../resolve-experiment.js';
import { examples } from './help.js';
import { addViewOptions, viewType } from './view-option.js';

interface ListOptions {
  experiment?: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  all?: boolean;
  deleted?: boolean;
  json?: boolean;
}

/** Keys that at least half of the runs have (most common first), at most `max`. */
function commonKeys(runs: Run[], keysOf: (r: Run) => string[], max: number): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const k of keysOf(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const need = Math.max(1, Math.ceil(runs.length / 2));
  return [...counts]
    .filter(([, n]) => n >= need)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([k]) => k);
}

function runsTable(runs: Run[], experiments: Map<string, Experiment>, width: number): string[] {
  const metricKeys = commonKeys(runs, (r) => r.data.metrics.map((m) => m.key), 4);
  const paramKeys = commonKeys(runs, (r) => r.data.params.map((p) => p.key), 3);
  const columns: Column[] = [
    { header: 'RUN ID' },
    { header: 'NAME', minWidth: 10 },
    { header: 'EXPERIMENT', minWidth: 10 },
    { header: 'STATUS' },
    { header: 'START' },
    { header: 'DURATION', align: 'right' },
    ...metricKeys.map((k): Column => ({ header: `metrics.${k}`, align: 'right', optional: true })),
    ...paramKeys.map((k): Column => ({ header: `params.${k}`, optional: true })),
  ];
  const now = Date.now();
  const rows = runs.map((r) => {
    const metric = new Map(r.data.metrics.map((m) => [m.key, m.value]));
    const param = new Map(r.data.params.map((p) => [p.key, p.value]));
    return [
      r.info.run_id,
      r.info.run_name,
      experiments.get(r.info.experiment_id)?.name ?? r.info.experiment_id,
      r.info.lifecycle_stage === 'deleted' ? `${r.info.status} (deleted)` : r.info.status,
      formatTime(r.info.start_time, { seconds: false }),
      runDuration(r.info, now),
      ...metricKeys.map((k) => (metric.has(k) ? formatNumber(metric.get(k)!) : '')),
      ...paramKeys.map((k) => param.get(k) ?? ''),
    ];
  });
  return formatTable(columns, rows, width);
}

export function registerRunsList(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  addViewOptions(group.command('list'), 'runs')
    .description("search runs with MLflow's filter syntax, plus OR and parentheses")
    .option('--experiment <NAME>', 'experiment name or id; repeat for several (default: every active experiment)', repeatable(String))
    .option('--filter <EXPR>', `filter, e.g. "metrics.loss < 0.3 AND params.lr = '0.01'"`)
    .option('--order-by <EXPR>', 'sort key with ASC/DESC, e.g. "metrics.loss ASC"; repeat for ties (default: start_time DESC)', repeatable(String))
    .option('--max-results <N>', `runs per page (default ${LIMITS.maxResultsDefault}, at most ${LIMITS.maxResults})`, parsePositiveInt)
    .option('--page-token <T>', 'continue where the previous page ended (its next_page_token)')
    .option('--json', 'print {"runs": [...], "next_page_token"?: "..."} in MLflow\'s run JSON shape')
    .addHelpText(
      'after',
      `
The table shows each run's id, name, experiment, status, start (local time), duration, and the
metrics and params most runs have, as far as the terminal is wide.

With --json, metric values that are NaN or infinite are written as the strings "NaN", "Infinity"
and "-Infinity" (JSON has no such numbers); times are milliseconds since the epoch.
${examples(
  'git-ml runs list --experiment mnist',
  `git-ml runs list --filter "(params.optimizer = 'adam' OR params.optimizer = 'sgd') AND metrics.acc > 0.9" --order-by "metrics.acc DESC"`,
  'git-ml runs list --json --max-results 100 | jq -r .next_page_token',
)}`,
    )
    .action((opts: ListOptions, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const experiments = opts.experiment?.length
          ? opts.experiment.map((e) => mustFindExperiment(client, e))
          : client.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: LIMITS.maxResults });
        const page = client.searchRuns(
          experiments.map((e) => e.experiment_id),
          opts.filter ?? '',
          { orderBy: opts.orderBy, maxResults: opts.maxResults, pageToken: opts.pageToken, runViewType: viewType(opts) },
        );
        for (const [ref, why] of client.unreadableRuns) io.err(`git-ml: warning: skipped ${ref}: ${why}\n`);
        if (opts.json) {
          io.out(toJson(page.nextPageToken ? { runs: page.runs, next_page_token: page.nextPageToken } : { runs: page.runs }));
          return;
        }
        if (page.runs.length === 0) {
          io.err('No runs found.\n');
          return;
        }
        const byId = new Map(experiments.map((e) => [e.experiment_id, e]));
        io.out(`${runsTable(page.runs, byId, io.columns).join('\n')}\n`);
        if (page.nextPageToken) io.err(`More runs follow: repeat the command with --page-token ${page.nextPageToken}\n`);
      }),
    );
}
