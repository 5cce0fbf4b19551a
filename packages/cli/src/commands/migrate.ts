import { RUN_FORMAT } from '@git-ml/tracking';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { PartialFailure } from '../errors.js';
import { toJson } from '../output/json.js';
import { examples } from './help.js';

/** `git-ml migrate`: rewrites runs recorded in an older run format in the current one. */
export function migrateCommand(ctx: CliContext): Command {
  const { io } = ctx;
  return new Command('migrate')
    .description(`convert every run recorded in an older storage format to the current one (${RUN_FORMAT})`)
    .option('--json', 'print {"converted": [refs], "current": N, "failed": [{"ref", "message"}]} instead')
    .addHelpText(
      'after',
      `
Runs in an older format stay readable, and each is converted anyway the next time it is written;
this converts them all at once (a new commit on each run's ref, its history kept). Running it again
does nothing. Safe while other git-ml processes log: every ref moves under its lock. Push afterwards
to share the converted runs (clones in either format pull and merge them).${examples('git-ml migrate', 'git-ml migrate --json')}`,
    )
    .action((opts: { json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const progress = (done: number, total: number) => {
          if (io.errIsTty) io.err(`\rChecking runs: ${done}/${total}${done === total ? '\n' : ''}`);
        };
        const r = client.migrate(opts.json ? undefined : progress);
        if (opts.json) io.out(toJson(r));
        else if (r.converted.length === 0 && r.failed.length === 0) io.out(`All ${r.current} runs are already in ${RUN_FORMAT}.\n`);
        else io.out(`Converted ${r.converted.length} run${r.converted.length === 1 ? '' : 's'} to ${RUN_FORMAT} (${r.current} already current).\n`);
        if (r.failed.length > 0) {
          io.err(`git-ml: error: ${r.failed.length} run(s) could not be converted (they stay readable as they are):\n${r.failed.map((f) => `  ! ${f.ref}: ${f.message}\n`).join('')}`);
          throw new PartialFailure(1);
        }
      }),
    );
}
