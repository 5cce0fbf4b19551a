import { exportMlruns, importFrom, importMlruns, type Counts, type ImportOptions, type ImportSummary } from '@git-ml/migrate';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { PartialFailure, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { toJson } from '../output/json.js';
import { examples } from './help.js';

function progress(io: Io, what: string) {
  let last = -1;
  return (p: { done: number; total: number }) => {
    if (!io.errIsTty) return;
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
    if (pct === last && p.done !== p.total) return;
    last = pct;
    const width = 24;
    const bar = '#'.repeat(Math.round((width * pct) / 100)).padEnd(width, '.');
    io.err(`\r${what} [${bar}] ${p.done}/${p.total}${p.done === p.total ? '\n' : ''}`);
  };
}

const counts = (c: Counts) => `${c.created} new, ${c.updated} updated, ${c.unchanged} unchanged`;

function printImport(io: Io, s: ImportSummary): void {
  io.out(
    `Imported ${s.source} in ${s.seconds.toFixed(1)} s\n` +
      `  experiments: ${counts(s.experiments)}\n` +
      `  runs:        ${counts(s.runs)}\n` +
      `  written:     ${s.params} params, ${s.tags} tags, ${s.metricPoints} metric points, artifacts of ${s.runsWithNewArtifacts} runs\n` +
      `  models:      ${counts(s.models)}\n` +
      `  versions:    ${counts(s.versions)}\n`,
  );
  if (s.warnings.length) io.out(`Notes (${s.warnings.length}):\n${s.warnings.map((w) => `  - ${w}\n`).join('')}`);
  if (s.skipped.length) io.err(`git-ml: ${s.skipped.length} item(s) skipped (fix them and import again; what was imported stays):\n${s.skipped.map((x) => `  ! ${x.path}: ${x.reason}\n`).join('')}`);
}

const KEPT = `Run ids, experiment ids, times, users, statuses, params, full metric histories (NaN and ±inf
included), tags (system tags too) and artifacts are kept, so runs:/<id>/… URIs keep working. Model
versions keep their numbers, runs and paths, descriptions, tags, users, stages (as the version tag
git-ml.stage) and times; models keep their descriptions, tags, aliases and times. Importing again
adds only what is new or changed (never a second copy of a run), so an import cut off part way is
resumed by running it again. Broken items are skipped whole, named with their path or URL; the exit
code is 1 when something was skipped. See docs/migrate.md.`;

interface ImportFlags {
  experiment?: string[];
  json?: boolean;
}

async function runImport(ctx: CliContext, c: Command, opts: ImportFlags, run: (o: ImportOptions) => Promise<ImportSummary>): Promise<void> {
  const { io } = ctx;
  const listing = progress(io, 'Listing experiments');
  const bar = progress(io, 'Importing runs');
  const s = await run({ experiments: opts.experiment, onProgress: opts.json ? undefined : (p) => (p.phase === 'runs' ? bar(p) : p.phase === 'listing' ? listing(p) : undefined) });
  if (opts.json) io.out(toJson(s));
  else printImport(io, s);
  if (s.skipped.length > 0) throw new PartialFailure(1);
}

/**
 * `git-ml import --from SOURCE` (a tracking server's URL or an mlruns/ tree) and its kept shorthand
 * `git-ml import mlruns PATH`: MLflow's experiments, runs and registry into this repository, ids kept.
 * One command with an optional `mlruns PATH` operand rather than a subcommand, so that `--json` and
 * `--experiment` mean the same wherever they stand.
 */
export function importCommand(ctx: CliContext): Command {
  return new Command('import')
    .description('import from MLflow — a running tracking server (--from http://HOST:PORT) or a FileStore mlruns/ tree — keeping run and experiment ids')
    .usage('--from <URL|PATH> [options]\n       git-ml import mlruns <PATH> [options]')
    .argument('[mlruns]', "the word 'mlruns', for the shorthand git-ml import mlruns PATH")
    .argument('[PATH]', 'with mlruns: the mlruns/ folder (or a file: URI, or a folder holding mlruns/)')
    .option('--from <SOURCE>', "an MLflow tracking server's URL (http://HOST:PORT), or an mlruns/ folder or file: URI")
    .option('--experiment <NAME...>', 'import only these experiments (repeat or list several)')
    .option('--json', 'print the summary as JSON: counts, skipped [{path, reason}], warnings')
    .addHelpText(
      'after',
      `
git-ml import mlruns PATH is the same as git-ml import --from PATH.

From a server, everything comes through MLflow's REST API: experiments and runs (deleted ones
too), full metric histories, artifacts (through the server's artifact proxy, or /get-artifact when
it does not proxy them) and the registry. Credentials as MLflow's client takes them:
MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN. Versions MLflow
deleted are not listed by its API: their numbers stay unused here too. From a tree, broken items (a
meta.yaml that does not parse, a metric line that is not '<timestamp> <value> <step>') are skipped
whole.

${KEPT}${examples(
        'git-ml import --from http://127.0.0.1:5000',
        'git-ml import --from https://mlflow.example.com --experiment churn',
        'git-ml import mlruns ~/hpc/mlruns --experiment churn --experiment fraud',
        'git-ml import --from ./mlruns --json',
      )}`,
    )
    .action((kind: string | undefined, path: string | undefined, opts: ImportFlags & { from?: string }, c: Command) => {
      if (kind !== undefined && kind !== 'mlruns') throw new UsageError(`Unknown source '${kind}'. Import from a tracking server with git-ml import --from http://HOST:PORT, or a FileStore tree with git-ml import mlruns PATH.`);
      if (kind === 'mlruns' && path === undefined) throw new UsageError('git-ml import mlruns needs the PATH of the mlruns/ folder.');
      if (kind === 'mlruns' && opts.from) throw new UsageError('Give either --from SOURCE or mlruns PATH, not both.');
      const from = kind === 'mlruns' ? path! : opts.from;
      if (!from) throw new UsageError('Say what to import: git-ml import --from http://HOST:PORT (a running MLflow tracking server) or git-ml import mlruns PATH (a FileStore tree).');
      return ctx.withRegistry(c, (registry, client) => runImport(ctx, c, opts, (o) => (kind === 'mlruns' ? importMlruns(client, registry, from, o) : importFrom(client, registry, from, o))));
    });
}

/** `git-ml export mlruns DEST`: everything as an MLflow FileStore tree. */
export function exportCommand(ctx: CliContext): Command {
  const { io } = ctx;
  const cmd = new Command('export').description('export to MLflow (a FileStore mlruns/ tree that MLflow reads)');
  cmd.addCommand(
    new Command('mlruns')
      .description('write every experiment, run (with full metric histories and artifacts) and registered model as an MLflow FileStore tree')
      .argument('<DEST>', 'a new or empty folder')
      .option('--json', 'print the summary as JSON')
      .addHelpText(
        'after',
        `
Read it with MLflow: MlflowClient("file:DEST"), or \`mlflow ui --backend-store-uri DEST\`. Ids,
times, params, tags and metric histories are written as they are here. The tree is built beside
DEST and moved into place at the end. See docs/migrate.md.${examples('git-ml export mlruns /tmp/mlruns')}`,
      )
      .action((dest: string, opts: { json?: boolean }, c: Command) =>
        ctx.withRegistry(c, async (registry, client) => {
          const s = await exportMlruns(client, registry, dest, { onProgress: opts.json ? undefined : progress(io, 'Exporting runs') });
          if (opts.json) io.out(toJson(s));
          else {
            io.out(`Exported to ${s.dest} in ${s.seconds.toFixed(1)} s: ${s.experiments} experiments, ${s.runs} runs, ${s.metricPoints} metric points, ${s.models} models, ${s.versions} versions\n`);
            if (s.skipped.length) io.err(`git-ml: ${s.skipped.length} item(s) not exported:\n${s.skipped.map((x) => `  ! ${x.path}: ${x.reason}\n`).join('')}`);
          }
          if (s.skipped.length > 0) throw new PartialFailure(1);
        }),
      ),
  );
  return cmd;
}
