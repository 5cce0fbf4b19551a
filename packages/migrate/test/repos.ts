/** What the migrate tests share: temporary directories, real git repositories, clients, the CLI. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryClient } from '@git-ml/registry';
import { MlClient } from '@git-ml/tracking';

export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/bin/git-ml.js');
export const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'U', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'U', GIT_COMMITTER_EMAIL: 'u@x' };

const roots: string[] = [];

/** A new temporary directory, removed by `removeTemps`. */
export function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `gitml-migrate-${prefix}-`));
  roots.push(d);
  return d;
}

export function removeTemps(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

/** C git, with no user or system configuration. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function newRepo(): string {
  const d = temp('repo');
  git(d, 'init', '-q');
  return d;
}

/** Opens clients on a repo, runs fn, closes them. */
export async function withClients<T>(repo: string, fn: (c: MlClient, r: RegistryClient) => Promise<T> | T): Promise<T> {
  const client = new MlClient({ repo });
  try {
    return await fn(client, new RegistryClient({ tracking: client }));
  } finally {
    client.close();
  }
}

/** The built CLI as a child process. */
export function cli(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
}
