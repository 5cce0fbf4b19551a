import { GitMlError, type MlClient, type PullResult, type PushResult as TrackingPushResult } from '@git-ml/tracking';
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { PartialFailure } from '../errors.js';
import type { Io } from '../io.js';
import { examples } from './help.js';

type PushResult = TrackingPushResult & { pulled?: PullResult };

type Prefer = 'ours' | 'theirs';
type PushFn = (client: MlClient, remote: string, options: { prefer?: Prefer }) => PushResult | Promise<PushResult>;
type PullFn = (client: MlClient, remote: string, options: { prefer?: Prefer }) => PullResult | Promise<PullResult>;

// Loaded by name so this command keeps building while the sync module of @git-ml/tracking evolves.
async function syncFunction<T>(name: 'push' | 'pull'): Promise<T> {
  const tracking = (await import('@git-ml/tracking')) as Record<string, unknown>;
  const fn = tracking[name];
  if (typeof fn !== 'function') {
    throw new GitMlError('NOT_AVAILABLE', `\`git-ml ${name}\` is not available yet in this build of @git-ml/tracking. Until then, use plain git: \`git ${name} REMOTE 'refs/ml/*:refs/ml/*'\`.`);
  }
  return fn as T;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function printRefs(io: Io, title: string, refs: string[], marker: string): void {
  if (refs.length) io.out(`${title}\n${refs.map((r) => `  ${marker} ${r}\n`).join('')}`);
}

/** Prints a pull's outcome; returns the number of conflicts left. */
function printPull(io: Io, remote: string, r: PullResult): number {
  if (r.upToDate) io.out(`Already up to date with ${remote}.\n`);
  printRefs(io, `Created ${plural(r.created.length, 'ref')} from ${remote}:`, r.created, '+');
  printRefs(io, `Fast-forwarded ${plural(r.updated.length, 'ref')}:`, r.updated, '*');
  printRefs(io, `Merged ${plural(r.merged.length, 'ref')} changed on both sides:`, r.merged, '~');
  if (r.conflicts.length) io.out(`Conflicts (local refs left unchanged):\n${r.conflicts.map((c) => `  ! ${c.ref}: ${c.message}\n`).join('')}`);
  return r.conflicts.length;
}

/** `git-ml push [REMOTE]` and `git-ml pull [REMOTE] [--prefer ours|theirs]`; transport is the user's own git. */
export function syncCommands(ctx: CliContext): Command[] {
  const { io } = ctx;

  const push = new Command('push')
    .description('send experiments and runs (refs/ml/*) to a remote, with the commits they ran on')
    .argument('[REMOTE]', 'a configured remote or a URL', 'origin')
    .addHelpText(
      'after',
      `\nUses your git (remotes, credentials, ssh keys). Runs that changed on the remote too are pulled and\nmerged first, then pushed, so nobody's results are overwritten.${examples('git-ml push', 'git-ml push upstream')}`,
    )
    .action(async (remote: string, _opts: unknown, cmd: Command) => {
      const pushFn = await syncFunction<PushFn>('push');
      await ctx.withClient(cmd, async (client) => {
        const r = await pushFn(client, remote, {});
        const conflicts = r.pulled ? printPull(io, remote, r.pulled) : 0;
        if (r.pushed.length === 0 && r.rejected.length === 0) io.out('Everything up-to-date.\n');
        printRefs(io, `Pushed ${plural(r.pushed.length, 'ref')} to ${remote}:`, r.pushed, '*');
        if (r.rejected.length) io.out(`Rejected:\n${r.rejected.map((x) => `  ! ${x.ref}: ${x.reason}\n`).join('')}`);
        if (r.rejected.length || conflicts) {
          io.err(`git-ml: error: ${plural(r.rejected.length, 'ref')} rejected${conflicts ? `, ${plural(conflicts, 'conflict')}` : ''}; run \`git-ml pull ${remote} --prefer ours\` (or theirs), then push again.\n`);
          throw new PartialFailure(1);
        }
      });
    });

  const pull = new Command('pull')
    .description("fetch experiments and runs from a remote and merge them with yours")
    .argument('[REMOTE]', 'a configured remote or a URL', 'origin')
    .addOption(new Option('--prefer <SIDE>', 'when a run changed on both sides in ways that cannot both hold (a param with two values), keep this side').choices(['ours', 'theirs']))
    .addHelpText(
      'after',
      `\nMetric histories and tags of a run changed on both sides are merged; a param with two values is\na conflict (the local run stays as it was, exit code 1) unless --prefer picks a side.${examples('git-ml pull', 'git-ml pull origin --prefer theirs')}`,
    )
    .action(async (remote: string, opts: { prefer?: Prefer }, cmd: Command) => {
      const pullFn = await syncFunction<PullFn>('pull');
      await ctx.withClient(cmd, async (client) => {
        const conflicts = printPull(io, remote, await pullFn(client, remote, { prefer: opts.prefer }));
        if (conflicts) {
          io.err(`git-ml: error: ${plural(conflicts, 'conflict')} left unmerged; re-run with --prefer ours (keep yours) or --prefer theirs (take the remote's).\n`);
          throw new PartialFailure(1);
        }
      });
    });

  return [push, pull];
}
