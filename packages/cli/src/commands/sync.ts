import { pullRegistry, pushRegistry, RegistryClient, type RegistryPullResult, type RegistryPushResult } from '@git-ml/registry';
import { GitMlError, type MlClient, type PullResult, type PushResult as TrackingPushResult } from '@git-ml/tracking';
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { PartialFailure } from '../errors.js';
import type { Io } from '../io.js';
import { toJson } from '../output/json.js';
import { shellQuote } from '../output/shell.js';
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

function registryPullIsEmpty(r: RegistryPullResult): boolean {
  return r.created.length === 0 && r.updated.length === 0 && r.renumbered.length === 0;
}

/** Prints a pull's outcome (without the "Already up to date" line); returns the number of conflicts left. */
function printPull(io: Io, remote: string, r: PullResult): number {
  printRefs(io, `Created ${plural(r.created.length, 'ref')} from ${remote}:`, r.created, '+');
  printRefs(io, `Fast-forwarded ${plural(r.updated.length, 'ref')}:`, r.updated, '*');
  printRefs(io, `Merged ${plural(r.merged.length, 'ref')} changed on both sides:`, r.merged, '~');
  if (r.conflicts.length) io.out(`Conflicts (local refs left unchanged):\n${r.conflicts.map((c) => `  ! ${c.ref}: ${c.message}\n`).join('')}`);
  return r.conflicts.length;
}

/**
 * Prints what a registry pull did. A renumbered version gets a line of its own: the user's version
 * number changed, and scripts or notes that say "v2" must now say "v3".
 */
function printRegistryPull(io: Io, remote: string, r: RegistryPullResult): void {
  printRefs(io, `Created ${plural(r.created.length, 'registry ref')} from ${remote}:`, r.created, '+');
  printRefs(io, `Updated ${plural(r.updated.length, 'model record')}:`, r.updated, '*');
  for (const x of r.renumbered) {
    const name = shellQuote(x.name);
    io.out(`renumbered ${name} v${x.from} → v${x.to}: ${remote} already had a v${x.from} registered by someone else\n`);
    io.out(`  your model is now models:/${x.name}/${x.to} (its aliases moved with it); models:/${x.name}/${x.from} is theirs. See \`git-ml models history ${name}\`.\n`);
  }
}

/** `git-ml push [REMOTE]` and `git-ml pull [REMOTE] [--prefer ours|theirs]`; transport is the user's own git (isomorphic-git over http(s) without one). */
export function syncCommands(ctx: CliContext): Command[] {
  const { io } = ctx;

  const push = new Command('push')
    .description('send experiments, runs and the model registry to a remote, with the commits they ran on')
    .argument('[REMOTE]', 'a configured remote or a URL', 'origin')
    .option('--json', 'print {"pushed", "rejected", "pulled"?, "registry": {"pushed", "rejected", "pulled"?}} instead')
    .addHelpText(
      'after',
      `
Pushes refs/ml/* (runs, experiments, model records) and the model version tags (NAME@vN), using
your git (remotes, credentials, ssh keys); without git installed, http(s) remotes are reached through
isomorphic-git, with credentials from the URL or GIT_ML_HTTP_USERNAME and GIT_ML_HTTP_PASSWORD (see
docs/tracking.md). Runs that changed on the remote too are pulled and merged
first, then pushed, so nobody's results are overwritten. When someone else pushed the same model
version number first, yours is renumbered to the next free one (the output says so) and pushed.${examples('git-ml push', 'git-ml push upstream')}`,
    )
    .action(async (remote: string, opts: { json?: boolean }, cmd: Command) => {
      const pushFn = await syncFunction<PushFn>('push');
      await ctx.withClient(cmd, async (client) => {
        const r = await pushFn(client, remote, {});
        const reg: RegistryPushResult = pushRegistry(new RegistryClient({ tracking: client }), remote);
        const conflicts = r.pulled?.conflicts.length ?? 0;
        const rejected = r.rejected.length + reg.rejected.length;
        if (opts.json) io.out(toJson({ ...r, registry: reg }));
        else {
          if (r.pulled) printPull(io, remote, r.pulled);
          if (reg.pulled) printRegistryPull(io, remote, reg.pulled);
          if (r.pushed.length + reg.pushed.length === 0 && rejected === 0) io.out('Everything up-to-date.\n');
          printRefs(io, `Pushed ${plural(r.pushed.length, 'ref')} to ${remote}:`, r.pushed, '*');
          // a record pushed by the first attempt and again after a renumbering pull is one ref
          const regPushed = [...new Set(reg.pushed)];
          printRefs(io, `Pushed ${plural(regPushed.length, 'registry ref')} to ${remote}:`, regPushed, '*');
          if (rejected) io.out(`Rejected:\n${[...r.rejected, ...reg.rejected].map((x) => `  ! ${x.ref}: ${x.reason}\n`).join('')}`);
        }
        if (r.rejected.length || conflicts) {
          io.err(`git-ml: error: ${plural(rejected, 'ref')} rejected${conflicts ? `, ${plural(conflicts, 'conflict')}` : ''}; run \`git-ml pull ${remote} --prefer ours\` (or theirs), then push again.\n`);
          throw new PartialFailure(1);
        }
        if (reg.rejected.length) {
          // the registry already pulled (renumbering clashing versions) and retried once
          const ref = reg.rejected[0].ref;
          io.err(
            `git-ml: error: ${plural(reg.rejected.length, 'registry ref')} rejected by ${remote} even after pulling. If someone pushed meanwhile, \`git-ml push ${remote}\` again fixes it;` +
              ` if not, ${remote}'s ${ref} is not a git-ml model version (see \`git ls-remote ${remote} ${ref}\`) and must be renamed there or here.\n`,
          );
          throw new PartialFailure(1);
        }
      });
    });

  const pull = new Command('pull')
    .description('fetch experiments, runs and the model registry from a remote and merge them with yours')
    .argument('[REMOTE]', 'a configured remote or a URL', 'origin')
    .addOption(new Option('--prefer <SIDE>', 'when a run changed on both sides in ways that cannot both hold (a param with two values), keep this side').choices(['ours', 'theirs']))
    .option('--json', 'print {"created", "updated", "merged", "conflicts", "upToDate", "registry": {"created", "updated", "renumbered"}} instead')
    .addHelpText(
      'after',
      `
Metric histories and tags of a run changed on both sides are merged; a param with two values is
a conflict (the local run stays as it was, exit code 1) unless --prefer picks a side. Model records
changed on both sides are merged change by change; a local, unpushed model version whose number the
remote already used is renumbered to the next free one.${examples('git-ml pull', 'git-ml pull origin --prefer theirs')}`,
    )
    .action(async (remote: string, opts: { prefer?: Prefer; json?: boolean }, cmd: Command) => {
      const pullFn = await syncFunction<PullFn>('pull');
      await ctx.withClient(cmd, async (client) => {
        const r = await pullFn(client, remote, { prefer: opts.prefer });
        const reg = pullRegistry(new RegistryClient({ tracking: client }), remote);
        if (opts.json) io.out(toJson({ ...r, registry: reg }));
        else {
          if (r.upToDate && registryPullIsEmpty(reg)) io.out(`Already up to date with ${remote}.\n`);
          printPull(io, remote, r);
          printRegistryPull(io, remote, reg);
        }
        if (r.conflicts.length) {
          io.err(`git-ml: error: ${plural(r.conflicts.length, 'conflict')} left unmerged; re-run with --prefer ours (keep yours) or --prefer theirs (take the remote's).\n`);
          throw new PartialFailure(1);
        }
      });
    });

  return [push, pull];
}
