import { Command, type Option } from 'commander';
import { artifactsCommand } from './commands/artifacts.js';
import { experimentsCommand } from './commands/experiments.js';
import { modelsCommand } from './commands/models.js';
import { runsCommand } from './commands/runs.js';
import { syncCommands } from './commands/sync.js';
import { migrateCommand } from './commands/migrate.js';
import { exportCommand, importCommand } from './commands/import-export.js';
import { initCommand, reportCommand } from './commands/review.js';
import { projectCommands } from './commands/projects.js';
import { serverCommand, uiCommand } from './commands/server.js';
import type { CliContext } from './context.js';
import { packageVersion } from './version.js';

const ROOT_HELP_AFTER = `
Example session:
  $ RUN=$(git-ml runs start --experiment mnist --name baseline)
  $ git-ml runs log "$RUN" --param lr=0.01 --metric loss=0.25@1
  $ git-ml runs end "$RUN"
  $ git-ml runs list --experiment mnist

Everything is stored in git refs under refs/ml/ (see them with \`git for-each-ref refs/ml\`);
nothing touches your branches, index or working tree. With git-ml on PATH, \`git ml …\` works too;
\`git ml help\` prints this, \`git ml --help\` opens the git-ml(1) man page (docs/install.md says
where man looks for it).
Run \`git-ml <command> --help\` (e.g. \`git-ml runs log --help\`) for a command's options.
`;

/** The whole command tree; commander never exits the process (errors come back to `run()`). */
export function buildProgram(ctx: CliContext): Command {
  const { io } = ctx;
  const program = new Command('git-ml')
    .description('MLflow — tracking, model registry, models and projects — stored in git')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--repo <DIR>', 'the git repository to use (default: $GIT_ML_REPO, $MLFLOW_TRACKING_URI, else the one around the current directory)')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
      // commander's "error: …" (maybe with a "Did you mean" line) as one line, our prefix
      outputError: (text, write) => write(`git-ml: ${text.trim().replace(/\s*\n\s*/g, ' ')}\n`),
      getOutHelpWidth: () => io.columns,
      getErrHelpWidth: () => io.columns,
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', ROOT_HELP_AFTER);

  program.commandsGroup('Tracking:');
  program.addCommand(experimentsCommand(ctx));
  program.addCommand(runsCommand(ctx));
  program.addCommand(artifactsCommand(ctx));
  program.commandsGroup('Model registry:');
  program.addCommand(modelsCommand(ctx));
  program.commandsGroup('Projects:');
  for (const c of projectCommands(ctx)) program.addCommand(c);
  program.commandsGroup('Server:');
  program.addCommand(serverCommand(ctx));
  program.addCommand(uiCommand(ctx));
  program.commandsGroup('Sharing (git remotes):');
  for (const c of syncCommands(ctx)) program.addCommand(c);
  program.addCommand(initCommand(ctx));
  program.commandsGroup('Maintenance:');
  program.addCommand(migrateCommand(ctx));
  program.commandsGroup('Moving from/to MLflow:');
  program.addCommand(importCommand(ctx));
  program.addCommand(exportCommand(ctx));
  program.commandsGroup('Review:');
  program.addCommand(reportCommand(ctx));
  program.commandsGroup('Help:').helpCommand('help [command]', 'show help for a command').helpCommand(true);
  inheritSettings(program);
  versionFlagOnlyBeforeCommand(program);
  return program;
}

/**
 * Commander reads the program's options anywhere on the line (so `--repo` works after the command),
 * which would make `git-ml models delete iris --version 2` print git-ml's version. The program's
 * `-V, --version` therefore counts only before the command name; after it, `--version` is the
 * command's own option (or an unknown one). A program parses one command line (`run()` builds a new
 * one each time), so the option is simply dropped for that parse.
 */
function versionFlagOnlyBeforeCommand(program: Command): void {
  const options = program.options as Option[];
  const takesValue = new Set(options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f));
  const isVersionFlag = (a: string) => a === '--version' || a === '-V';
  const parse = program.parseOptions.bind(program);
  program.parseOptions = (args: string[]) => {
    let first = 0;
    while (first < args.length && args[first] !== '--' && args[first].startsWith('-')) first += takesValue.has(args[first]) ? 2 : 1;
    const at = options.findIndex((o) => o.long === '--version');
    if (at >= 0 && !args.slice(0, first).some(isVersionFlag) && args.slice(first).some(isVersionFlag)) options.splice(at, 1);
    return parse(args);
  };
}

/** addCommand() does not pass on settings the way .command() does; exitOverride and output must reach every level. */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.copyInheritedSettings(parent);
    inheritSettings(child);
  }
}
