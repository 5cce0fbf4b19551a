import { runRef, type Run } from '@git-ml/tracking';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatDelta, formatNumber } from '../output/format.js';
import { formatTable, type Column } from '../output/table.js';
import { isSystemTag } from '../system-tags.js';
import { examples, RUN_ID_HELP } from './help.js';
import { experimentOf, infoPairs } from './runs-show.js';
import { resolveRun } from '../resolve-run.js';

/** One row of a comparison: the key, both sides (undefined when absent), and the extra delta cell. */
interface Row {
  key: string;
  a: string | undefined;
  b: string | undefined;
  delta?: string;
}

/** ' ' same, '~' changed, '-' only in A, '+' only in B. */
function mark(a: string | undefined, b: string | undefined): string {
  if (a === undefined) return '+';
  if (b === undefined) return '-';
  return a === b ? ' ' : '~';
}

function compareMaps(a: Map<string, string>, b: Map<string, string>): Row[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((key) => ({ key, a: a.get(key), b: b.get(key) }));
}

function section(title: string, rows: Row[], width: number, withDelta = false): string[] {
  if (rows.length === 0) return [];
  const columns: Column[] = [{ header: '' }, { header: 'KEY', minWidth: 12 }, { header: 'A', minWidth: 10 }, { header: 'B', minWidth: 10 }];
  if (withDelta) columns.push({ header: 'Δ (B-A)', align: 'right', optional: true });
  const cells = rows.map((r) => {
    const line = [mark(r.a, r.b), r.key, r.a ?? '', r.b ?? ''];
    if (withDelta) line.push(r.delta ?? '');
    return line;
  });
  return ['', title, ...formatTable(columns, cells, width - 2).map((l) => `  ${l}`)];
}

/** The side-by-side comparison of two runs as lines for a terminal. */
function diffLines(runA: Run, runB: Run, expNames: [string | null, string | null], width: number): string[] {
  const out: string[] = [`A  ${runA.info.run_id}  ${runA.info.run_name}`, `B  ${runB.info.run_id}  ${runB.info.run_name}`];

  const infoA = new Map(infoPairs(runA, null));
  const infoB = new Map(infoPairs(runB, null));
  if (expNames[0]) infoA.set('experiment', `${expNames[0]} (${runA.info.experiment_id})`);
  if (expNames[1]) infoB.set('experiment', `${expNames[1]} (${runB.info.experiment_id})`);
  const info = [...new Set([...infoA.keys(), ...infoB.keys()])]
    .map((key) => ({ key, a: infoA.get(key), b: infoB.get(key) }))
    .filter((r) => r.a !== r.b);
  out.push(...section('Info (only what differs)', info, width));

  out.push(...section('Params', compareMaps(new Map(runA.data.params.map((p) => [p.key, p.value])), new Map(runB.data.params.map((p) => [p.key, p.value]))), width));

  const ma = new Map(runA.data.metrics.map((m) => [m.key, m.value]));
  const mb = new Map(runB.data.metrics.map((m) => [m.key, m.value]));
  const metrics = [...new Set([...ma.keys(), ...mb.keys()])].sort().map((key): Row => {
    const a = ma.get(key);
    const b = mb.get(key);
    return { key, a: a === undefined ? undefined : formatNumber(a), b: b === undefined ? undefined : formatNumber(b), delta: a !== undefined && b !== undefined ? formatDelta(a, b) : '' };
  });
  out.push(...section('Metrics (latest)', metrics, width, true));

  // System tags that agree (user, source type…) are noise here; ones that differ (source commit) are not.
  const tagRows = compareMaps(new Map(runA.data.tags.map((t) => [t.key, t.value])), new Map(runB.data.tags.map((t) => [t.key, t.value])));
  const tags = tagRows.filter((r) => r.key !== 'mlflow.runName' && (!isSystemTag(r.key) || r.a !== r.b));
  out.push(...section('Tags', tags, width));
  const hidden = tagRows.length - tags.length;
  if (hidden > 0) out.push(`  (${hidden} identical system tag${hidden === 1 ? '' : 's'} not shown)`);

  out.push('', '~ changed   - only in A   + only in B', '', 'Compare the stored records with git:', `  git diff ${runRef(runA.info.experiment_id, runA.info.run_id)} ${runRef(runB.info.experiment_id, runB.info.run_id)}`, '');
  return out;
}

export function registerRunsDiff(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  group
    .command('diff')
    .description('compare two runs side by side: info, params, metrics (with the delta) and tags')
    .argument('<RUN_A>', `the first run: ${RUN_ID_HELP.replace('the run: ', '')}`)
    .argument('<RUN_B>', 'the second run, likewise')
    .addHelpText('after', `\nRows are marked ~ (changed), - (only in A) or + (only in B).${examples('git-ml runs diff "$BASELINE" "$RUN"')}`)
    .action((idA: string, idB: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const a = client.getRun(resolveRun(client, idA));
        const b = client.getRun(resolveRun(client, idB));
        const names: [string | null, string | null] = [experimentOf(client, a)?.name ?? null, experimentOf(client, b)?.name ?? null];
        io.out(diffLines(a, b, names, io.columns).join('\n'));
      }),
    );
}
