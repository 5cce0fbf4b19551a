import type { Comparison, MetricSpec, Report, ReportRun } from './report.js';

/** A marker the GitHub Actions example looks for, so it updates its one comment instead of adding more. */
export const REPORT_MARKER = '<!-- git-ml-report -->';

/** Run ids are time-ordered (their head is a timestamp), so the random tail tells runs apart. */
const short = (id: string) => `…${id.slice(-8)}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function deltaCell(c: Comparison | undefined): string {
  if (!c || c.value === null) return '–';
  const v = formatValue(c.value);
  if (c.delta === null || c.verdict === 'n/a') return v;
  if (c.verdict === 'same') return `${v} (=)`;
  const sign = c.delta > 0 ? '+' : '';
  return `${v} (${sign}${formatValue(c.delta)} ${c.verdict === 'better' ? '🟢 better' : '🔴 worse'})`;
}

function runLabel(r: ReportRun): string {
  return `${cell(r.run_name)} \`${short(r.run_id)}\``;
}

/** Why there is no base run to compare with, naming the metric that was looked for. */
function noBaseline(report: Report): string {
  const base = `\`${report.base.ref}\``;
  if (report.metrics.length === 0) return `; there is no metric to compare: none was named with \`--metric KEY\` and the runs on this branch log none.`;
  const key = report.metrics[0].key;
  if (report.baseRunCount === 0) return `; no run on ${base} to compare \`${key}\` with.`;
  return `; none of the ${report.baseRunCount} run${report.baseRunCount === 1 ? '' : 's'} on ${base} has the metric \`${key}\` to compare with.`;
}

/** The pull-request comment: summary, metric table with deltas, parameter changes, registry changes, charts. */
export function renderMarkdown(report: Report): string {
  const { runs, baseline, metrics } = report;
  const out: string[] = [REPORT_MARKER, `## git-ml: runs on \`${report.head.ref}\` vs \`${report.base.ref}\``, ''];
  const dirs = metrics.map((m) => `\`${m.key}\` ${m.direction === 'min' ? '↓' : '↑'}`).join(', ');
  out.push(
    `${runs.length} run${runs.length === 1 ? '' : 's'} on commits of this branch that \`${report.base.ref}\` does not have` +
      (baseline ? `, compared with the best of ${report.baseRunCount} run${report.baseRunCount === 1 ? '' : 's'} on \`${report.base.ref}\` (by \`${metrics[0].key}\`).` : noBaseline(report)),
  );
  if (metrics.length) out.push(`Metrics: ${dirs} (↑ higher is better, ↓ lower is better).`);
  out.push('');
  if (runs.length === 0) {
    out.push('_No runs on this branch yet. Log some (`git-ml runs start …` or the SDK), `git-ml push`, and run the report again._');
    return out.join('\n') + '\n';
  }
  const header = ['run', 'commit', ...metrics.map((m) => `${m.key} ${m.direction === 'min' ? '↓' : '↑'}`)];
  out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
  if (baseline) out.push(`| **base best** ${runLabel(baseline)} | \`${baseline.commit.slice(0, 8)}\` | ${metrics.map((m) => formatValue(baseline.metrics[m.key])).join(' | ')} |`);
  for (const r of runs) {
    const cs = report.comparisons.filter((c) => c.run_id === r.run_id);
    out.push(`| ${runLabel(r)} | \`${r.commit.slice(0, 8)}\` | ${metrics.map((m) => deltaCell(cs.find((c) => c.metric === m.key))).join(' | ')} |`);
  }
  out.push('', ...paramSection(report), ...registrySection(report), ...chartSection(report));
  out.push('', '<details><summary>Inspect these runs</summary>', '');
  for (const r of [...(baseline ? [baseline] : []), ...runs]) {
    out.push(`- \`${r.run_id}\` ${cell(r.run_name)} (${r.experiment}, ${r.status}): \`${r.inspect.cli}\` · \`${r.inspect.git}\``);
  }
  out.push('', 'Fetch them first: `git fetch origin \'refs/ml/*:refs/ml/*\'` (or run `git-ml init` once).', '</details>', '');
  return out.join('\n');
}

function paramSection(report: Report): string[] {
  const { runs, baseline } = report;
  const keys = [...new Set([...runs.flatMap((r) => Object.keys(r.params)), ...Object.keys(baseline?.params ?? {})])].sort();
  const changed = keys.filter((k) => runs.some((r) => r.params[k] !== baseline?.params[k]));
  if (changed.length === 0) return [];
  const header = ['param', ...(baseline ? ['base best'] : []), ...runs.slice(0, 8).map((r) => cell(r.run_name))];
  const rows = changed.map((k) => `| \`${cell(k)}\` | ${[...(baseline ? [baseline.params[k] ?? '–'] : []), ...runs.slice(0, 8).map((r) => r.params[k] ?? '–')].map(cell).join(' | ')} |`);
  return ['### Parameters that differ', '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows, ''];
}

function registrySection(report: Report): string[] {
  const { versions, aliasMoves } = report.registry;
  if (versions.length === 0 && aliasMoves.length === 0) return [];
  const out = ['### Model registry', ''];
  const names = new Map(report.runs.map((r) => [r.run_id, r.run_name]));
  for (const v of versions) out.push(`- new version **${cell(v.name)} v${v.version}** from run ${cell(names.get(v.run_id) ?? '')} \`${short(v.run_id)}\`${v.aliases.length ? ` — aliases: ${v.aliases.join(', ')}` : ''} (\`models:/${v.name}/${v.version}\`)`);
  for (const a of aliasMoves) out.push(`- alias **${cell(a.alias)}** of ${cell(a.name)} → v${a.version} by ${cell(a.user)} at ${new Date(a.timestamp).toISOString()}`);
  return [...out, ''];
}

/** Quoted Mermaid string: no double quotes or line breaks inside. */
const mq = (s: string) => `"${s.replace(/["\n\r`]/g, "'").slice(0, 40)}"`;
const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : '0');

/** Mermaid `xychart-beta` charts (rendered by GitHub and GitLab, no image hosting): final values, and the first metric's curve. */
export function chartSection(report: Report): string[] {
  const { runs, baseline, metrics } = report;
  const shown = [...(baseline ? [baseline] : []), ...runs.slice(0, 6)];
  const out: string[] = [];
  for (const m of metrics.slice(0, 3)) {
    const vals = shown.map((r) => r.metrics[m.key]);
    if (vals.every((v) => v === undefined || !Number.isFinite(v))) continue;
    out.push('```mermaid', 'xychart-beta', `    title ${mq(`${m.key} (${m.direction === 'min' ? 'lower' : 'higher'} is better)`)}`);
    out.push(`    x-axis [${shown.map((r, i) => mq(i === 0 && baseline ? `base: ${r.run_name.slice(0, 20)}` : r.run_name.slice(0, 24))).join(', ')}]`);
    out.push(`    y-axis ${mq(m.key)}`, `    bar [${vals.map((v) => num(v ?? 0)).join(', ')}]`, '```', '');
  }
  const curve = metrics[0] && lineChart(report, metrics[0], shown);
  if (curve) out.push(...curve);
  return out.length ? ['### Charts', '', ...out] : [];
}

function lineChart(report: Report, m: MetricSpec, shown: ReportRun[]): string[] | null {
  const series = shown.map((r) => report.histories[r.run_id]?.[m.key] ?? []).filter((h) => h.length > 1);
  if (series.length === 0) return null;
  const steps = [...new Set(series.flatMap((h) => h.map((p) => p.step)))].sort((a, b) => a - b);
  const every = Math.ceil(steps.length / 40);
  const xs = steps.filter((_, i) => i % every === 0 || i === steps.length - 1);
  const lines = shown
    .map((r) => report.histories[r.run_id]?.[m.key] ?? [])
    .filter((h) => h.length > 1)
    .map((h) => {
      const byStep = new Map(h.map((p) => [p.step, p.value]));
      let last = h[0].value;
      // carry the last value forward over steps a run did not log (xychart has no gaps)
      const filled = steps.map((s) => (last = byStep.get(s) ?? last));
      return xs.map((s) => num(filled[steps.indexOf(s)]));
    });
  const legend = shown.filter((r) => (report.histories[r.run_id]?.[m.key] ?? []).length > 1).map((r, i) => `${i + 1}. ${r === report.baseline ? 'base best: ' : ''}${cell(r.run_name)}`);
  return [
    '```mermaid',
    'xychart-beta',
    `    title ${mq(`${m.key} by step`)}`,
    `    x-axis "step" [${xs.map((s) => mq(String(s))).join(', ')}]`,
    `    y-axis ${mq(m.key)}`,
    ...lines.map((l) => `    line [${l.join(', ')}]`),
    '```',
    `Lines, in order: ${legend.join(', ')}.`,
    '',
  ];
}
