#!/usr/bin/env node
// Writes man/man1/git-ml.1 from the built CLI's own --help texts, so `git ml --help` (which git turns
// into `man git-ml`) shows the same help as `git-ml --help`. Run after a build whenever help changes:
//   node packages/cli/scripts/man.mjs          (test/man.test.ts fails while the page is out of date)
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MAN_PAGE = join(CLI_DIR, 'man', 'man1', 'git-ml.1');
// man indents the blocks by 7 columns: 72 + 7 fits an 80-column terminal
const WIDTH = 72;

/** roff-escapes one line of text: backslashes, and a leading dot or quote that roff would read as a request. */
function esc(line) {
  return line.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1').replace(/-/g, '\\-');
}

/** The man page's roff source, from the command tree of the built CLI. */
export async function renderManPage() {
  const { buildProgram } = await import(join(CLI_DIR, 'dist', 'program.js'));
  const { createContext } = await import(join(CLI_DIR, 'dist', 'context.js'));
  const { packageVersion } = await import(join(CLI_DIR, 'dist', 'version.js'));
  const io = { out() {}, err() {}, columns: WIDTH, errIsTty: false };
  const program = buildProgram(createContext(io));
  const block = (text) => ['.nf', ...text.replace(/\n+$/, '').split('\n').map(esc), '.fi'];
  const lines = [
    `.TH GIT\\-ML 1 "" "git\\-ml ${packageVersion()}" "git-ml Manual"`,
    '.SH NAME',
    "git\\-ml \\- MLflow's tracking, model registry, models and projects, stored in git",
    '.SH SYNOPSIS',
    '.B git ml',
    '.I command',
    '.RI [ options ]',
    '.br',
    '.B git\\-ml',
    '.I command',
    '.RI [ options ]',
    '.SH DESCRIPTION',
    'git\\-ml keeps experiments, runs, metrics, artifacts and registered models in git refs under',
    '.IR refs/ml/ ;',
    'it never touches your branches, index or working tree. With',
    '.B git\\-ml',
    'on your PATH,',
    '.B git ml',
    '.I command',
    'works as a git subcommand. This page is generated from the same help texts',
    '.B git\\-ml',
    '.I command',
    '.B \\-\\-help',
    'prints.',
    '.PP',
    ...block(program.helpInformation()),
    '.SH COMMANDS',
  ];
  const visit = (cmd, path) => {
    for (const sub of cmd.commands) {
      if (sub.name() === 'help') continue;
      const words = [...path, sub.name()];
      lines.push(`.SS "git ml ${esc(words.join(' '))}"`, ...block(sub.helpInformation()));
      visit(sub, words);
    }
  };
  visit(program, []);
  lines.push(
    '.SH ENVIRONMENT',
    '.TP',
    '.B GIT_ML_REPO',
    'the repository to use when \\-\\-repo is not given',
    '.TP',
    '.B MLFLOW_TRACKING_URI',
    'read like MLflow does; a local path or file: URI names the repository',
    '.SH SEE ALSO',
    '.BR git (1),',
    '.BR git\\-push (1),',
    '.BR git\\-fetch (1).',
    "The docs/ folder of git-ml's repository: install.md, tracking.md, registry.md, models.md, projects.md, storage.md.",
  );
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(dirname(MAN_PAGE), { recursive: true });
  writeFileSync(MAN_PAGE, await renderManPage());
  console.log(`wrote ${MAN_PAGE}`);
}
