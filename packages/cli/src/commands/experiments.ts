import { LIMITS } from '@git-ml/tracking';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTime } from '../output/format.js';
import { toJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { mustFindExperiment } from '../resolve-experiment.js';
import { examples } from './help.js';
import { addViewOptions, viewType } from './view-option.js';

/** `git-ml experiments …`: create, list, rename, delete, restore. */
export function experimentsCommand(ctx: CliContext): Command {
  const { io } = ctx;
  const group = new Command('experiments')
    .description('create, list, rename, delete and restore experiments')
    .addHelpText('after', examples('git-ml experiments create mnist', 'git-ml experiments list --all'));

  group
    .command('create')
    .description('create an experiment and print its id')
    .argument('<NAME>', 'experiment name (unique, also among deleted ones)')
    .addHelpText('after', examples('git-ml experiments create mnist', 'EXP=$(git-ml experiments create "resnet sweep")'))
    .action((name: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        io.out(`${client.createExperiment(name)}\n`);
      }),
    );

  addViewOptions(group.command('list'), 'experiments')
    .description('list experiments (active ones unless --all or --deleted)')
    .option('--json', 'print {"experiments": [...]} in MLflow\'s JSON shape')
    .addHelpText('after', examples('git-ml experiments list', 'git-ml experiments list --all --json'))
    .action((opts: { all?: boolean; deleted?: boolean; json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const experiments = client.searchExperiments({ viewType: viewType(opts), maxResults: LIMITS.maxResults });
        if (opts.json) return io.out(toJson({ experiments }));
        if (experiments.length === 0) return io.err('No experiments. Create one with `git-ml experiments create NAME`.\n');
        const rows = experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage, formatTime(e.creation_time)]);
        const lines = formatTable([{ header: 'ID' }, { header: 'NAME', minWidth: 12 }, { header: 'STAGE' }, { header: 'CREATED' }], rows, io.columns);
        io.out(`${lines.join('\n')}\n`);
      }),
    );

  group
    .command('rename')
    .description('rename an experiment (its id and runs stay)')
    .argument('<OLD>', 'current name (or id)')
    .argument('<NEW>', 'new name')
    .addHelpText('after', examples('git-ml experiments rename mnist mnist-v1'))
    .action((oldName: string, newName: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const exp = mustFindExperiment(client, oldName);
        client.renameExperiment(exp.experiment_id, newName);
        io.out(`Renamed experiment '${exp.name}' (id ${exp.experiment_id}) to '${newName}'.\n`);
      }),
    );

  group
    .command('delete')
    .description('mark an experiment deleted (its runs stay; `restore` undoes it)')
    .argument('<NAME>', 'experiment name (or id)')
    .addHelpText('after', examples('git-ml experiments delete scratch'))
    .action((name: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const exp = mustFindExperiment(client, name);
        client.deleteExperiment(exp.experiment_id);
        io.out(`Deleted experiment '${exp.name}' (id ${exp.experiment_id}). Undo with \`git-ml experiments restore ${exp.experiment_id}\`.\n`);
      }),
    );

  group
    .command('restore')
    .description('restore a deleted experiment')
    .argument('<NAME>', 'experiment name (or id)')
    .addHelpText('after', examples('git-ml experiments restore scratch'))
    .action((name: string, _opts: unknown, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const exp = mustFindExperiment(client, name);
        client.restoreExperiment(exp.experiment_id);
        io.out(`Restored experiment '${exp.name}' (id ${exp.experiment_id}).\n`);
      }),
    );

  return group;
}
