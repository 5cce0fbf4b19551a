import { NotFoundError, runRef, type Experiment, type MlClient, type Run } from '@git-ml/tracking';
import type { Command } from 'commander';
import { walkArtifacts } from '../artifact-walk.js';
import type { CliContext } from '../context.js';
import { formatBytes, formatNumber, formatTime, runDuration } from '../output/format.js';
import { toJson } from '../output/json.js';
import { formatPairs } from '../output/table.js';
import { isSystemTag } from '../system-tags.js';
import { examples, RUN_ID_HELP } from './help.js';
import { resolveRun } from '../resolve-run.js';

const ARTIFACTS_SHOWN = 50;

/** The experiment of a run, or null when its record is gone (the run still shows). */
export function experimentOf(client: MlClient, run: Run): Experiment | null {
  try {
    return client.getExperiment(run.info.experiment_id);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** "abc1234 on main (uncommitted changes snapshotted)" from the source tags, or null. */
function describeSource(tags: Map<string, string>): string | null {
  const commit = tags.get('mlflow.source.git.commit');
  if (!commit) return null;
  const branch = tags.get('mlflow.source.git.branch');
  const dirty = tags.get('git-ml.source.dirty') === 'true';
  const notes: string[] = [];
  if (dirty) notes.push(tags.has('git-ml.source.head') ? 'snapshot of uncommitted changes' : 'uncommitted changes not in it');
  const left = leftOut(tags.get('git-ml.source.omitted'));
  if (left > 0) notes.push(`${left} untracked file${left === 1 ? '' : 's'} left out`);
  return `${commit.slice(0, 12)}${branch ? ` on ${branch}` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** How many files the tag `git-ml.source.omitted` lists (0 when absent or unreadable). */
function leftOut(json: string | undefined): number {
  if (!json) return 0;
  try {
    const o = JSON.parse(json) as { files?: unknown[]; more?: number };
    return (o.files?.length ?? 0) + (o.more ?? 0);
  } catch {
    return 0;
  }
}

export function infoPairs(run: Run, exp: Experiment | null): [string, string][] {
  const i = run.info;
  const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
  const pairs: [string, string][] = [
    ['name', i.run_name],
    ['experiment', exp ? `${exp.name} (${i.experiment_id})` : i.experiment_id],
    ['status', i.status],
    ['lifecycle', i.lifecycle_stage],
    ['user', i.user_id],
    ['start', formatTime(i.start_time)],
    ['end', i.end_time ? formatTime(i.end_time) : '-'],
    ['duration', runDuration(i)],
  ];
  const source = describeSource(tags);
  if (source) pairs.push(['source', source]);
  return pairs;
}

export function registerRunsShow(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  group
    .command('show')
    .description("show a run: info, params, latest metrics, tags, artifacts, and its git ref")
    .argument('<RUN_ID>', RUN_ID_HELP)
    .option('--system', 'also show system tags (mlflow.*, git-ml.*)')
    .option('--json', 'print {"run": {...}, "artifacts": [...], "ref": "..."}; the run in MLflow\'s JSON shape (NaN/Infinity metric values as strings)')
    .addHelpText('after', examples('git-ml runs show "$RUN"', 'git-ml runs show "$RUN" --json | jq .run.data.metrics'))
    .action((prefix: string, opts: { system?: boolean; json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const runId = resolveRun(client, prefix);
        const run = client.getRun(runId);
        const ref = runRef(run.info.experiment_id, run.info.run_id);
        if (opts.json) {
          io.out(toJson({ run, artifacts: walkArtifacts(client, runId).files, ref }));
          return;
        }
        const width = io.columns;
        const out: string[] = [`Run ${run.info.run_id}`, ...formatPairs(infoPairs(run, experimentOf(client, run)), width)];

        const section = (title: string, pairs: [string, string][], empty: string) => {
          out.push('', title);
          out.push(...(pairs.length ? formatPairs(pairs, width) : [`  ${empty}`]));
        };
        const byKey = <T extends { key: string }>(a: T, b: T) => a.key.localeCompare(b.key);
        section('Params', [...run.data.params].sort(byKey).map((p) => [p.key, p.value]), '(none)');
        section('Metrics (latest)', [...run.data.metrics].sort(byKey).map((m) => [m.key, `${formatNumber(m.value)}  (step ${m.step})`]), '(none)');
        const tags = [...run.data.tags].sort(byKey);
        const shown = opts.system ? tags : tags.filter((t) => !isSystemTag(t.key));
        section('Tags', shown.map((t) => [t.key, t.value]), '(none)');
        const hidden = tags.length - shown.length;
        if (hidden > 0) out.push(`  (${hidden} system tag${hidden === 1 ? '' : 's'} hidden; add --system to show them)`);

        const { files, truncated } = walkArtifacts(client, runId, '', ARTIFACTS_SHOWN);
        section('Artifacts', files.map((f) => [f.is_dir ? `${f.path}/` : f.path, formatBytes(f.file_size)]), '(none)');
        if (truncated) out.push(`  … more: \`git-ml artifacts list ${runId} PATH\``);

        out.push('', 'Inspect it with git:', `  git show ${ref}`, `  git log ${ref}`, '');
        io.out(out.join('\n'));
      }),
    );
}
