import { ENV_MANAGERS, formatMetricComparison, parseEnvManager, reproduce, runProject } from '@git-ml/projects';
import { GitMlError } from '@git-ml/tracking';
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { PartialFailure } from '../errors.js';
import { toJson } from '../output/json.js';
import { examples, RUN_ID_HELP } from './help.js';
import { resolveRun } from '../resolve-run.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function parseParams(pairs: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new GitMlError('INVALID_PARAMETER_VALUE', `Invalid -P '${p}': use -P key=value.`, { field: 'param' });
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** `git-ml run` and `git-ml reproduce`: MLflow Projects, tracked in this repository. */
export function projectCommands(ctx: CliContext): Command[] {
  const { io } = ctx;
  const run = new Command('run')
    .description('run a project (MLproject, or a .js/.mjs/.ts/.py/.sh file) as a tracked run')
    .argument('<URI>', 'a local directory, or a git URL (ssh, https, file://) with an optional #subdirectory')
    .option('-e, --entry-point <NAME>', 'entry point of the MLproject, or a script file of the project', 'main')
    .option('-P, --param <KEY=VALUE>', 'a parameter; repeat for more (undeclared ones are passed as --key value)', collect)
    .option('--version <REV>', 'branch, tag or commit to run (checked out into a temporary directory)')
    .option('--experiment <NAME>', 'experiment of the run (created if new; default: Default)')
    .option('--run-name <NAME>', 'name of the run')
    .addOption(new Option('--env-manager <KIND>', 'how to build the environment (default: from the MLproject)').choices([...ENV_MANAGERS]))
    .option('--json', 'print the result as JSON when done')
    .addHelpText(
      'after',
      `
The run is created (with every parameter and the MLflow system tags) before the command starts; the
command gets MLFLOW_RUN_ID, MLFLOW_EXPERIMENT_ID, MLFLOW_TRACKING_URI and GIT_ML_REPO, so its own
startRun() — or \`git-ml runs log "$MLFLOW_RUN_ID" …\` — logs into that run. The run ends FINISHED or
FAILED by the exit code; Ctrl-C stops the command and marks it KILLED. Exit code: 0 when FINISHED.
${examples(
  'git-ml run . -e train -P model=gbdt -P learning_rate=0.1',
  'git-ml run examples/workshop -e train --env-manager local -P model=logreg',
  'git-ml run https://github.com/acme/churn.git#training --version v1.2',
)}`,
    )
    .action((uri: string, opts: { entryPoint: string; param?: string[]; version?: string; experiment?: string; runName?: string; envManager?: string; json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, async (client) => {
        const r = await runProject({
          uri,
          entryPoint: opts.entryPoint,
          parameters: parseParams(opts.param),
          version: opts.version,
          experimentName: opts.experiment,
          runName: opts.runName,
          envManager: opts.envManager ? parseEnvManager(opts.envManager) : undefined,
          client,
          // with --json, stdout carries only the result: the command's own output goes to stderr
          output: opts.json ? { out: (t: string) => io.err(t), err: (t: string) => io.err(t) } : io,
        });
        if (opts.json) io.out(toJson(r));
        else io.err(`git-ml: run ${r.runId} ${r.status}${r.exitCode !== null && r.exitCode !== 0 ? ` (exit ${r.exitCode})` : ''}. See it with \`git-ml runs show ${r.runId}\`.\n`);
        if (r.status !== 'FINISHED') throw new PartialFailure(1);
      }),
    );

  const repro = new Command('reproduce')
    .description("re-run a past run from its recorded commit, parameters and environment, and compare every metric")
    .argument('<RUN_ID>', `the run to reproduce: ${RUN_ID_HELP.replace('the run: ', '')}`)
    .option('--tolerance <REL>', 'largest relative difference that counts as the same (default: 0, exact)', '0')
    .addOption(new Option('--env-manager <KIND>', "how to build the environment (default: the run's)").choices([...ENV_MANAGERS]))
    .option('--json', 'print the comparison as JSON')
    .addHelpText('after', `\nExit code 0 when every metric is within the tolerance, 1 otherwise.\n${examples('git-ml reproduce 01a2… --tolerance 1e-6')}`)
    .action((runId: string, opts: { tolerance: string; envManager?: string; json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, async (client) => {
        const tolerance = Number(opts.tolerance);
        if (!Number.isFinite(tolerance) || tolerance < 0) throw new GitMlError('INVALID_PARAMETER_VALUE', `Invalid --tolerance '${opts.tolerance}': a relative difference ≥ 0, e.g. 1e-6.`, { field: 'tolerance' });
        // with --json, stdout carries only the result: the child's output goes to stderr (as `git-ml run --json`)
        const output = opts.json ? { out: (t: string) => io.err(t), err: (t: string) => io.err(t) } : io;
        const r = await reproduce({ runId: resolveRun(client, runId), tolerance, envManager: opts.envManager ? parseEnvManager(opts.envManager) : undefined, client, output });
        if (opts.json) io.out(toJson(r));
        else io.out(`Reproduced ${r.originalRunId} as ${r.run.runId}:\n${formatMetricComparison(r.metrics)}\n`);
        if (!r.ok) throw new PartialFailure(1);
      }),
    );
  return [run, repro];
}
