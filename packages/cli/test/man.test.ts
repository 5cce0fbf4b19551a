import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN_DIR, CLI_DIR, cleanEnv, gitMl, NO_MAN, tempDir } from './harness.js';

const PAGE = join(CLI_DIR, 'man', 'man1', 'git-ml.1');

describe('the git-ml(1) man page', () => {
  it('is the current help: regenerate it with `node packages/cli/scripts/man.mjs` when help changes', async () => {
    const { renderManPage } = (await import(join(CLI_DIR, 'scripts', 'man.mjs'))) as { renderManPage(): Promise<string> };
    const fresh = await renderManPage();
    expect(readFileSync(PAGE, 'utf8'), 'packages/cli/man/man1/git-ml.1 is out of date: run `node packages/cli/scripts/man.mjs`').toBe(fresh);
    // every command's help is in it, e.g. a leaf two levels down
    const help = gitMl(tempDir(), ['runs', 'log', '--help']).stdout;
    expect(fresh).toContain('.SS "git ml runs log"');
    expect(fresh).toContain(help.split('\n')[0].replace(/-/g, '\\-'));
  });

  // skipped where NO_MAN says why
  it.skipIf(NO_MAN)(`\`git ml --help\` shows it when git-ml is on PATH (man finds bin/../man), instead of "No manual entry"${NO_MAN ? ` (skipped: ${NO_MAN})` : ''}`, () => {
    const env = cleanEnv({ PATH: `${BIN_DIR}${delimiter}${process.env.PATH}`, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' });
    delete env.MANPATH;
    const out = execFileSync('git', ['ml', '--help'], { cwd: tempDir(), env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^GIT-ML\(1\)/);
    expect(out).toMatch(/^ {3}git ml runs start$/m);
    expect(out).toContain('Usage: git-ml runs start [options]');
  });
});
