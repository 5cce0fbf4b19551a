import { LIMITS, type Experiment, type Run } from '@git-ml/tracking';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTime, runDuration } from '../output/format.js';
import { toJson } from '../output/json.js';
import { formatTable, naturalWidth, type Column } from '../output/table.js';
import { columnHeader, columnValue, parseColumns, requestedColumns, type ColumnKey } from './runs-columns.js';
import { parsePositiveInt, repeatable } from '../parse/flags.js';
import { mustFindExperiment } from '../resolve-experiment.js';
import { examples } from './help.js';
import { addViewOptions, viewType } from './view-option.js';

interface ListOptions {
  experiment?: string[];
  columns?: ColumnKey[];
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

/** Attributes the fixed columns already show: asking for them keeps that column instead of adding one. */
const SHOWN_AS: Record<string, string> = { run_id: 'RUN ID', run_name: 'NAME', status: 'STATUS', lifecycle_stage: 'STATUS', start_time: 'START' };

// When the table is too wide, optional columns go highest rank first (ties: rightmost first).
const DROP = { experiment: 5, param: 4, time: 3, metric: 2 };

interface TableInput {
  runs: Run[];
  experiments: Map<string, Experiment>;
  /** keys from --columns, --order-by and --filter: always shown */
  requested: ColumnKey[];
  /** add the metrics and params most runs have (when --columns was not given) */
  auto: boolean;
  width: number;
  /** shortest unique prefixes of run ids, asked for only when full ids do not fit */
  abbreviate: (ids: string[]) => Map<string, string>;
}

function runsTable(t: TableInput): string[] {
  const fixedWanted = new Set(t.requested.filter((c) => c.entity === 'attribute' && SHOWN_AS[c.key]).map((c) => SHOWN_AS[c.key]));
  const extra = t.requested.filter((c) => !(c.entity === 'attribute' && SHOWN_AS[c.key]));
  const has = (c: ColumnKey) => extra.some((e) => e.entity === c.entity && e.key === c.key);
  const autoMetrics = t.auto ? commonKeys(t.runs, (r) => r.data.metrics.map((m) => m.key), 4).map((key): ColumnKey => ({ entity: 'metric', key })).filter((c) => !has(c)) : [];
  const autoParams = t.auto ? commonKeys(t.runs, (r) => r.data.params.map((p) => p.key), 3).map((key): ColumnKey => ({ entity: 'param', key })).filter((c) => !has(c)) : [];
  const fixedOptional = (header: string, rank: number): Partial<Column> => (fixedWanted.has(header) ? {} : { optional: true, dropRank: rank });

  const columns: Column[] = [
    { header: 'RUN ID' },
    { header: 'NAME', minWidth: 16 },
    { header: 'EXPERIMENT', minWidth: 10, optional: true, dropRank: DROP.experiment },
    { header: 'STATUS' },
    { header: 'START', ...fixedOptional('START', DROP.time) },
    { header: 'DURATION', align: 'right', optional: true, dropRank: DROP.time },
    ...extra.map((c): Column => ({ header: columnHeader(c), align: c.entity === 'metric' ? 'right' : 'left', minWidth: 8 })),
    ...autoMetrics.map((c): Column => ({ header: columnHeader(c), align: 'right', optional: true, dropRank: DROP.metric })),
    ...autoParams.map((c): Column => ({ header: columnHeader(c), optional: true, dropRank: DROP.param })),
  ];
  const now = Date.now();
  const rows = t.runs.map((r) => [
    r.info.run_id,
    r.info.run_name,
    t.experiments.get(r.info.experiment_id)?.name ?? r.info.experiment_id,
    r.info.lifecycle_stage === 'deleted' ? `${r.info.status} (deleted)` : r.info.status,
    formatTime(r.info.start_time, { seconds: false }),
    runDuration(r.info, now),
    ...[...extra, ...autoMetrics, ...autoParams].map((c) => columnValue(r, c)),
  ]);
  // like `git log --oneline`: when everything does not fit, ids shrink to a prefix every command accepts
  if (naturalWidth(columns, rows) > t.width) {
    const short = t.abbreviate(t.runs.map((r) => r.info.run_id));
    for (const row of rows) row[0] = short.get(row[0]) ?? row[0];
  }
  return formatTable(columns, rows, t.width);
}

export function registerRunsList(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  addViewOptions(group.command('list'), 'runs')
    .description("search runs with MLflow's filter syntax, plus OR and parentheses")
    .option('--experiment <NAME>', 'experiment name or id; repeat for several (default: every active experiment)', repeatable(String))
    .option('--filter <EXPR>', `filter, e.g. "metrics.loss < 0.3 AND params.lr = '0.01'"`)
    .option('--columns <LIST>', 'columns to show, comma-separated: params.KEY, metrics.KEY, tags.KEY, attributes.NAME (e.g. "params.lr,metrics.loss,tags.team,attributes.user_id"); default: the metrics and params most runs have', parseColumns)
    .option('--order-by <EXPR>', 'sort key with ASC/DESC, e.g. "metrics.loss ASC"; repeat for ties (default: start_time DESC)', repeatable(String))
    .option('--max-results <N>', `runs per page (default ${LIMITS.maxResultsDefault}, at most ${LIMITS.maxResults})`, parsePositiveInt)
    .option('--page-token <T>', 'continue where the previous page ended (its next_page_token)')
    .option('--json', 'print {"runs": [...], "next_page_token"?: "..."} in MLflow\'s run JSON shape')
    .addHelpText(
      'after',
      `
The table shows each run's id, name, experiment, status, start (local time) and duration; then the
columns of --columns, and always the keys that --order-by sorts by and --filter compares; then,
without --columns, the metrics and params most runs have. When the terminal is too narrow, the
experiment, common params, duration and start, then common metrics are left out (in that order),
and run ids are shortened to the shortest prefix (at least 8 characters) that names one run, as
\`git log --oneline\` does; every command that takes a run id accepts it. The width is the
terminal's; else $COLUMNS; else 80 for a terminal that reports no size, 120 when the output is not
a terminal.

With --json, metric values that are NaN or infinite are written as the strings "NaN", "Infinity"
and "-Infinity" (JSON has no such numbers); times are milliseconds since the epoch.
${examples(
  'git-ml runs list --experiment mnist',
  'git-ml runs list --columns params.lr,metrics.val_loss,tags.team --order-by "metrics.val_loss ASC"',
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
        const requested = requestedColumns(opts.columns ?? [], opts.orderBy, opts.filter);
        const table = runsTable({ runs: page.runs, experiments: byId, requested, auto: !opts.columns, width: io.columns, abbreviate: (ids) => client.abbreviateRunIds(ids) });
        io.out(`${table.join('\n')}\n`);
        if (page.nextPageToken) io.err(`More runs follow: repeat the command with --page-token ${page.nextPageToken}\n`);
      }),
    );
}
