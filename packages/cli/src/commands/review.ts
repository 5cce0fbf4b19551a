import { buildReport, FETCH_REFSPECS, initRemotes, renderMarkdown } from '@git-ml/review';
import { RegistryClient } from '@git-ml/registry';
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { toJson } from '../output/json.js';
import { examples } from './help.js';
import { gitOf } from '@git-ml/tracking/internal';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `git-ml init`: plain `git fetch` brings runs and the registry too. */
export function initCommand(ctx: CliContext): Command {
  const { io } = ctx;
  return new Command('init')
    .description('configure remotes so plain `git fetch` / `git pull` also bring runs and the model registry')
    .argument('[REMOTE...]', 'remotes to configure (default: all)')
    .option('--json', 'print what changed as JSON')
    .addHelpText(
      'after',
      `\nAdds the fetch refspecs ${FETCH_REFSPECS.map((s) => `'${s}'`).join(' and ')} to each remote. They are not
forced: a fetch creates and fast-forwards runs, records and version tags, and refuses to overwrite
one that also changed here (merge those with \`git-ml pull\`). What a plain \`git push\` does is not
changed; share results with \`git-ml push\`. Running it again changes nothing.
${examples('git-ml init', 'git-ml init origin && git fetch origin')}`,
    )
    .action((remotes: string[], opts: { json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const results = initRemotes(gitOf(client).location.commonDir, remotes);
        if (opts.json) return io.out(toJson({ remotes: results }));
        for (const r of results) {
          if (r.added.length) io.out(`${r.remote}: added fetch refspecs ${r.added.map((s) => `'${s}'`).join(', ')} (git config --get-all remote.${r.remote}.fetch)\n`);
          else io.out(`${r.remote}: already configured, nothing changed\n`);
        }
        if (results.some((r) => r.added.length)) io.out('Now `git fetch` brings runs (refs/ml/*) and model versions; `git-ml push` shares yours.\n');
      }),
    );
}

/** `git-ml report`: the pull-request comparison, as markdown (with Mermaid charts) or JSON. */
export function reportCommand(ctx: CliContext): Command {
  const { io } = ctx;
  return new Command('report')
    .description("compare this branch's runs with the best run of the base branch (markdown for a PR comment, or JSON)")
    .option('--base <REF>', "the base branch, tag or commit (default: the remote's default branch)")
    .option('--experiment <NAME>', 'only runs of this experiment')
    .option('--metric <KEY[:min|max]>', 'a metric to compare; repeat for more; the first picks the best base run (default: all, loss-like ones lower-is-better)', collect)
    .addOption(new Option('--format <FORMAT>', 'output format').choices(['md', 'json']).default('md'))
    .addHelpText(
      'after',
      `\nRuns "on the branch" are those whose code commit (mlflow.source.git.commit, or the HEAD under a
dirty snapshot) is on HEAD but not on the base; "base runs" are those whose commit is on the base.
Metrics named like loss, error, mse, rmse, mae, time or latency are lower-is-better, the rest
higher-is-better; say it yourself with KEY:min or KEY:max. The markdown renders on GitHub and
GitLab, charts included (Mermaid), with no images to host.
${examples('git-ml report', 'git-ml report --base origin/main --metric val_loss --metric accuracy', 'git-ml report --format json > report.json')}`,
    )
    .action((opts: { base?: string; experiment?: string; metric?: string[]; format: 'md' | 'json' }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const report = buildReport(client, new RegistryClient({ tracking: client }), { base: opts.base, experiment: opts.experiment, metrics: opts.metric });
        io.out(opts.format === 'json' ? toJson(report) : renderMarkdown(report));
        // the report itself says it too; this line reaches whoever runs it in a terminal or CI log
        if (report.metrics.length === 0) {
          io.err('git-ml: nothing to compare: no --metric was given and the runs on this branch log no metrics. Name one with --metric KEY.\n');
        } else if (!report.baseline) {
          const n = report.baseRunCount;
          const key = report.metrics[0].key;
          io.err(
            n === 0
              ? `git-ml: no run's code is on '${report.base.ref}', so nothing to compare '${key}' with. Pick another --base.\n`
              : `git-ml: none of the ${n} run${n === 1 ? '' : 's'} on '${report.base.ref}' has the metric '${key}'. Compare by a metric they have with --metric KEY, or pick another --base.\n`,
          );
        }
      }),
    );
}
