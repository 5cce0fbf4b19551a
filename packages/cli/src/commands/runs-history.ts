import { NotFoundError, type Metric } from '@git-ml/tracking';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { brailleChart } from '../output/chart.js';
import { formatNumber, formatTime } from '../output/format.js';
import { toJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { parsePositiveInt } from '../parse/flags.js';
import { examples, RUN_ID_HELP } from './help.js';
import { resolveRun } from '../resolve-run.js';

/** points shown in the table unless --all */
const TABLE_TAIL = 20;

interface HistoryOptions {
  json?: boolean;
  all?: boolean;
  chart: boolean;
  table: boolean;
  height: number;
}

const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

/** "1,000 points", "steps 0–999", "min 0.01 (step 950)", "max 2.3 (step 0)", "last 0.02 (step 999)", "2 NaN not drawn" */
function summary(points: Metric[]): string[] {
  let min: Metric | null = null;
  let max: Metric | null = null;
  let firstStep = Infinity;
  let lastStep = -Infinity;
  let nan = 0;
  let inf = 0;
  for (const p of points) {
    if (p.step < firstStep) firstStep = p.step;
    if (p.step > lastStep) lastStep = p.step;
    if (Number.isNaN(p.value)) nan++;
    else if (!Number.isFinite(p.value)) inf++;
    else {
      if (!min || p.value < min.value) min = p;
      if (!max || p.value > max.value) max = p;
    }
  }
  const last = points[points.length - 1];
  const parts = [plural(points.length, 'point'), firstStep === lastStep ? `step ${firstStep}` : `steps ${firstStep}–${lastStep}`];
  if (min && max) parts.push(`min ${formatNumber(min.value)} (step ${min.step})`, `max ${formatNumber(max.value)} (step ${max.step})`);
  parts.push(`last ${formatNumber(last.value)} (step ${last.step})`);
  const odd = [nan ? `${nan} NaN` : '', inf ? `${inf} infinite` : ''].filter(Boolean).join(', ');
  if (odd) parts.push(`${odd} not drawn`);
  return parts;
}

/** `head` then the parts joined by ' · ', wrapped at the separators to `width` (continuation lines indented). */
function wrapParts(head: string, parts: string[], width: number): string[] {
  const lines = [head];
  for (const part of parts) {
    const last = lines[lines.length - 1];
    const joined = last === head ? `${last}  ${part}` : `${last} · ${part}`;
    if (joined.length <= width || last === head) lines[lines.length - 1] = joined;
    else lines.push(`    ${part}`);
  }
  return lines;
}

export function registerRunsHistory(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  group
    .command('history')
    .description("print every point of a run's metrics: a chart in the terminal and a table, or JSON")
    .argument('<RUN_ID>', RUN_ID_HELP)
    .argument('<KEY...>', 'metric keys, e.g. loss val_loss')
    .option('--json', 'print {"run_id", "metrics": [{"key", "value", "timestamp", "step"}, ...]}: every point of every KEY in logging order (MLflow\'s metric JSON; NaN/Infinity as strings)')
    .option('--all', `list every point in the table (default: the last ${TABLE_TAIL})`)
    .option('--no-chart', 'no chart, only the table')
    .option('--no-table', 'no table, only the chart and its summary')
    .option('--height <ROWS>', 'rows of the chart (each row is 4 dots high)', parsePositiveInt, 8)
    .addHelpText(
      'after',
      `
For each KEY: a summary (points, steps, min, max, last), a braille chart of value against step as
wide as the terminal, and a table of step, time and value. Long histories are drawn from a min/max
envelope of the points that fall into each column of dots, so spikes stay visible and 100 000
points draw in well under a second; the table and --json always carry the exact values. NaN and
infinite values are counted in the summary and left out of the chart.
${examples('git-ml runs history "$RUN" loss', 'git-ml runs history 01a2b3c4 loss val_loss --no-table', 'git-ml runs history "$RUN" loss --json | jq ".metrics[-1].value"')}`,
    )
    .action((prefix: string, keys: string[], opts: HistoryOptions, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const runId = resolveRun(client, prefix);
        const histories = keys.map((key) => ({ key, points: client.getMetricHistory(runId, key) }));
        const missing = histories.filter((h) => h.points.length === 0).map((h) => h.key);
        if (missing.length) {
          const logged = client.getRun(runId).data.metrics.map((m) => m.key).sort();
          throw new NotFoundError(
            `Run ${runId} has no metric ${missing.map((k) => `'${k}'`).join(', ')}. ${logged.length ? `Its metrics: ${logged.join(', ')}.` : 'It has logged no metrics yet.'}`,
            { run_id: runId, keys: missing },
          );
        }
        if (opts.json) {
          io.out(toJson({ run_id: runId, metrics: histories.flatMap((h) => h.points) }));
          return;
        }
        const width = io.columns;
        const out: string[] = [];
        for (const { key, points } of histories) {
          if (out.length) out.push('');
          out.push(...wrapParts(key, summary(points), width));
          if (opts.chart) out.push(...brailleChart(points.map((p) => ({ x: p.step, y: p.value })), { width, height: opts.height, xLabel: 'step' }));
          if (!opts.table) continue;
          const shown = opts.all ? points : points.slice(-TABLE_TAIL);
          const rows = shown.map((p) => [String(p.step), formatTime(p.timestamp), formatNumber(p.value)]);
          out.push('', ...formatTable([{ header: 'STEP', align: 'right' }, { header: 'TIME' }, { header: 'VALUE', align: 'right' }], rows, width));
          if (shown.length < points.length) out.push(`(the last ${shown.length} of ${plural(points.length, 'point')}; --all lists every one, --json prints them for scripts)`);
        }
        io.out(`${out.join('\n')}\n`);
      }),
    );
}
