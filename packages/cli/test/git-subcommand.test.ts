import { execFileSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN_DIR, cleanEnv, startRun, tempRepo } from './harness.js';

describe('git ml', () => {
  it('runs as a git subcommand when git-ml is on PATH: `git ml runs list`', () => {
    const repo = tempRepo();
    const id = startRun(repo, '--name', 'via-git');
    const out = execFileSync('git', ['ml', 'runs', 'list'], {
      cwd: repo,
      env: cleanEnv({ PATH: `${BIN_DIR}${delimiter}${process.env.PATH}` }),
      encoding: 'utf8',
    });
    expect(out.split('\n').find((l) => l.startsWith(id))).toMatch(/via-git\s+Default\s+RUNNING/);
  });
});
