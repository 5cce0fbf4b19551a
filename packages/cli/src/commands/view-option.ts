import { Option, type Command } from 'commander';
import type { ViewType } from '@git-ml/tracking';

/** Adds `--all` / `--deleted`, which exclude each other (commander reports the clash as a usage error). */
export function addViewOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(new Option('--all', `include deleted ${what}`).conflicts('deleted'))
    .addOption(new Option('--deleted', `only deleted ${what}`).conflicts('all'));
}

export function viewType(opts: { all?: boolean; deleted?: boolean }): ViewType {
  return opts.all ? 'ALL' : opts.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY';
}
