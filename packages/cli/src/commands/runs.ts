import { DEFAULT_EXPERIMENT_ID, RUN_STATUSES, type MlClient, type RunStatus } from '@git-ml/tracking';
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseKeyValue, parseMetric, repeatable, type MetricFlag } from '../parse/flags.js';
import { findExperiment } from '../resolve-experiment.js';
import { examples, RUN_ID_HELP } from './help.js';
import { registerRunsDiff } from './runs-diff.js';
import { registerRunsHistory } from './runs-history.js';
import { registerRunsList } from './runs-list.js';
import { registerRunsShow } from './runs-show.js';
import { resolveRun } from '../resolve-run.js';

/** --experiment, else MLFLOW_EXPERIMENT_NAME (both created when missing), else MLFLOW_EXPERIMENT_ID, else Default. */
function experimentForNewRun(client: MlClient, io: Io, flag: string | undefined): string {
  const name = flag ?? (process.env.MLFLOW_EXPERIMENT_NAME || undefined);
  if (name !== undefined) {
    for (let tries = 0; ; tries++) {
      const exp = findExperiment(client, name);
      if (exp) return exp.experiment_id;
      try {
        const id = client.createExperiment(name);
        io.err(`git-ml: created experiment '${name}' (id ${id})\n`);
        return id;
      } catch (err) {
        // Another process created it, or moved its ref, at the same moment: look again.
        const code = (err as { code?: string }).code;
        if ((code !== 'REF_CONFLICT' && code !== 'RESOURCE_ALREADY_EXISTS') || tries >= 4) throw err;
      }
    }
  }
  const envId = process.env.MLFLOW_EXPERIMENT_ID;
  if (envId) return client.getExperiment(envId).experiment_id;
  return DEFAULT_EXPERIMENT_ID;
}

/** `git-ml runs …`: start, log, end, list, show, diff, history, delete, restore. */
export function runsCommand(ctx: CliContext): Command {
  const { io } = ctx;
  const group = new Command('runs')
    .description("start, log to, end, search, show and compare runs, and chart a run's metrics")
    .addHelpText('after', examples('RUN=$(git-ml runs start --experiment mnist)', 'git-ml runs log "$RUN" --param lr=0.01 --metric loss=0.25@1', 'git-ml runs end "$RUN"', 'git-ml runs list --filter "metrics.loss < 0.3"'));

  group
    .command('start')
    .description('start a run and print only its id (the run stays RUNNING until `git-ml runs end`)')
    .option('--experiment <NAME>', 'experiment name or id, created if missing (default: $MLFLOW_EXPERIMENT_NAME, $MLFLOW_EXPERIMENT_ID, else "Default")')
    .option('--name <RUN_NAME>', 'run name (default: a generated one like "brave-owl-417")')
    .option('--tag <KEY=VALUE>', 'set a tag; repeat for more', repeatable((t) => parseKeyValue(t, 'team=vision')))
    .addHelpText('after', examples('RUN=$(git-ml runs start --experiment mnist --name baseline --tag team=vision)', 'git-ml runs log "$RUN" --metric loss=0.25@1'))
    .action((opts: { experiment?: string; name?: string; tag?: [string, string][] }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const experimentId = experimentForNewRun(client, io, opts.experiment);
        // the bin's path says nothing about what ran; the user may override it with --tag
        const tags = { 'mlflow.source.name': 'git-ml', ...Object.fromEntries(opts.tag ?? []) };
        const run = client.createRun(experimentId, { runName: opts.name, tags, sourceType: 'LOCAL', ownedByProcess: false });
        io.out(`${run.info.run_id}\n`);
      }),
    );

  group
    .command('log')
    .description('log params, metrics and tags to a run, in one durable batch')
    .argument('<RUN_ID>', RUN_ID_HELP)
    .option('--param <KEY=VALUE>', 'log a param (write-once: the same key with another value is an error); repeat for more', repeatable((t) => parseKeyValue(t, 'lr=0.01')))
    .option('--metric <KEY=VALUE[@STEP]>', 'log a metric point; VALUE is a number, nan, inf or -inf; STEP an integer (default 0); repeat for more', repeatable(parseMetric))
    .option('--tag <KEY=VALUE>', 'set a tag; repeat for more', repeatable((t) => parseKeyValue(t, 'stage=tuning')))
    .addHelpText(
      'after',
      `\nKEY=VALUE is split at the first '='; a metric's step follows the last '@'.${examples('git-ml runs log "$RUN" --param lr=0.01 --param batch=64', 'git-ml runs log "$RUN" --metric loss=0.25@3 --metric acc=0.91@3 --tag stage=tuning')}`,
    )
    .action((runId: string, opts: { param?: [string, string][]; metric?: MetricFlag[]; tag?: [string, string][] }, cmd: Command) => {
      if (!opts.param?.length && !opts.metric?.length && !opts.tag?.length) {
        throw new UsageError('nothing to log: give at least one --param KEY=VALUE, --metric KEY=VALUE[@STEP] or --tag KEY=VALUE.');
      }
      return ctx.withClient(cmd, (client) => {
        client.logBatch(resolveRun(client, runId), {
          params: (opts.param ?? []).map(([key, value]) => ({ key, value })),
          metrics: (opts.metric ?? []).map((m) => ({ key: m.key, value: m.value, step: m.step })),
          tags: (opts.tag ?? []).map(([key, value]) => ({ key, value })),
        });
      });
    });

  group
    .command('end')
    .description('end a run: set its status and end time')
    .argument('<RUN_ID>', RUN_ID_HELP)
    .addOption(new Option('--status <STATUS>', 'final status').choices(RUN_STATUSES.filter((s) => s !== 'RUNNING' && s !== 'SCHEDULED')).default('FINISHED'))
    .addHelpText('after', examples('git-ml runs end "$RUN"', 'python train.py || git-ml runs end "$RUN" --status FAILED'))
    .action((runId: string, opts: { status: RunStatus }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        client.setTerminated(resolveRun(client, runId), opts.status);
      }),
    );

  registerRunsList(group, ctx);
  registerRunsShow(group, ctx);
  registerRunsDiff(group, ctx);
  registerRunsHistory(group, ctx);

  group
    .command('delete')
    .description('mark a run deleted (hidden from `runs list` unless --all or --deleted; `restore` undoes it)')
    .argument('<RUN_ID>', RUN_ID_HELP)
    .addHelpText('after', examples('git-ml runs delete 0190f1c2a4b7e3d5c6a8b9d0e1f2a3b4'))
    .action((prefix: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const runId = resolveRun(client, prefix);
        client.deleteRun(runId);
        io.out(`Deleted run ${runId}. Undo with \`git-ml runs restore ${runId}\`.\n`);
      }),
    );

  group
    .command('restore')
    .description('restore a deleted run')
    .argument('<RUN_ID>', RUN_ID_HELP)
    .addHelpText('after', examples('git-ml runs restore 0190f1c2a4b7e3d5c6a8b9d0e1f2a3b4'))
    .action((prefix: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const runId = resolveRun(client, prefix);
        client.restoreRun(runId);
        io.out(`Restored run ${runId}.\n`);
      }),
    );

  return group;
}
