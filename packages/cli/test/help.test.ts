import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_DIR, gitMl, tempDir } from './harness.js';

const COMMANDS = [
  ['experiments'], ['runs'], ['artifacts'],
  ['experiments', 'create'], ['experiments', 'list'], ['experiments', 'rename'], ['experiments', 'delete'], ['experiments', 'restore'],
  ['runs', 'start'], ['runs', 'log'], ['runs', 'end'], ['runs', 'list'], ['runs', 'show'], ['runs', 'diff'], ['runs', 'delete'], ['runs', 'restore'],
  ['artifacts', 'log'], ['artifacts', 'list'], ['artifacts', 'get'],
  ['models'], ['models', 'create'], ['models', 'register'], ['models', 'list'], ['models', 'show'], ['models', 'update'], ['models', 'tag'],
  ['models', 'alias'], ['models', 'history'], ['models', 'resolve'], ['models', 'download'], ['models', 'delete'],
  ['models', 'serve'], ['models', 'predict'],
  ['run'], ['reproduce'], ['push'], ['pull'], ['init'], ['report'],
  ['runs', 'history'], ['server'], ['ui'], ['export', 'mlruns'], ['migrate'],
];

describe('help and version', () => {
  const cwd = tempDir(); // help needs no repository

  it('root help groups the commands and shows a 4-line example session', () => {
    const r = gitMl(cwd, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: git-ml /);
    expect(r.stdout).toMatch(/Tracking:\n {2}experiments .*\n {2}runs .*\n {2}artifacts /);
    expect(r.stdout).toMatch(/Model registry:\n {2}models .*\n\nProjects:\n {2}run .*\n {2}reproduce [^]*?\n\nServer:\n {2}server [^]*?\n {2}ui [^]*?\n\nSharing \(git remotes\):\n {2}push [^]*?\n {2}pull [^]*?\n {2}init [^]*?\n\nReview:\n {2}report /);
    expect(r.stdout).toMatch(/Example session:\n {2}\$ RUN=\$\(git-ml runs start [^\n]*\n {2}\$ git-ml runs log [^\n]*\n {2}\$ git-ml runs end [^\n]*\n {2}\$ git-ml runs list/);
  });

  it.each(COMMANDS.map((c) => [c.join(' ')]))('git-ml %s --help has a description and an example', (name) => {
    const r = gitMl(cwd, [...name.split(' '), '--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Usage: git-ml ${name} `));
    expect(lines[1]).toBe('');
    expect(lines[2]).toMatch(/^[a-z].{10,}$/); // the one-line description
    expect(r.stdout).toMatch(/\nExamples:\n {2}\$ .*git-ml /);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8'));
    const r = gitMl(cwd, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(gitMl(cwd, ['--repo', cwd, '-V']).stdout).toBe(`${version}\n`);
  });

  it('after the command name, --version is the command\'s own option, not the program\'s', () => {
    const r = gitMl(cwd, ['runs', 'list', '--version']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("git-ml: error: unknown option '--version'\n");
    const help = gitMl(cwd, ['models', 'delete', '--help']);
    expect(help.stdout).toMatch(/--version <N>/);
  });
});
