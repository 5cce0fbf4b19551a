/**
 * Lock files left by git-ml processes that were SIGKILLed in the middle of a ref update, at every
 * point of it, are recognised and broken; C git's lock files never are. Real processes, real git.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GIT_ENV, git, removeTempDirs, repoWithCommits, tempDir } from '@git-ml/test-support';
import { RefLockedError, RefStore } from '@git-ml/gitstore';

const GITSTORE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
afterAll(removeTempDirs);

let repo: string;
let gitDir: string;
let A: string;
let B: string;

beforeEach(() => {
  ({ repo, commits: [A, B] } = repoWithCommits('gitml-killed-', 'A', 'B'));
  gitDir = join(repo, '.git');
});

function lockFiles(): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.lock')) found.push(join(d, e.name).slice(gitDir.length + 1));
    }
  };
  walk(gitDir);
  return found;
}

function fsck(): void {
  execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: repo, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a node script in its own process; resolves with its exit signal. */
function runScript(body: string): Promise<NodeJS.Signals | null> {
  const script = join(tempDir('gitml-script-'), 'worker.mjs');
  writeFileSync(script, body);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((res) => child.on('exit', (_code, signal) => res(signal)));
}

/**
 * A process that updates `ref` through RefStore and is SIGKILLed right before (or right after)
 * the rename that puts `target` in place — the instant the kill lands is chosen by wrapping
 * `fs.renameSync` in the child; every file operation is real.
 */
function killedDuringUpdate(op: string, target: string, when: 'before' | 'after'): Promise<NodeJS.Signals | null> {
  return runScript(`import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const rename = fs.renameSync;
const die = () => { process.kill(process.pid, 'SIGKILL'); for (;;); };
fs.renameSync = (from, to) => {
  if (to === ${JSON.stringify(target)} && ${JSON.stringify(when)} === 'before') die();
  rename(from, to);
  if (to === ${JSON.stringify(target)} && ${JSON.stringify(when)} === 'after') die();
};
syncBuiltinESMExports();
const { RefStore } = await import(${JSON.stringify(GITSTORE_DIST)});
const refs = new RefStore(${JSON.stringify(gitDir)});
${op}
`);
}

describe('a git-ml process killed in the middle of a ref update', () => {
  for (const when of ['before', 'after'] as const) {
    it(`leaves no lock that blocks the next update when killed ${when} the new value is renamed over <ref>`, async () => {
      const refs = new RefStore(gitDir, 3000);
      refs.update([{ ref: 'refs/ml/runs/1/r1', value: A, expect: null }]);
      const signal = await killedDuringUpdate(
        `refs.update([{ ref: 'refs/ml/runs/1/r1', value: ${JSON.stringify(B)}, expect: ${JSON.stringify(A)} }]);`,
        join(gitDir, 'refs/ml/runs/1/r1'),
        when,
      );
      expect(signal).toBe('SIGKILL');
      if (when === 'before') expect(lockFiles()).toEqual(['refs/ml/runs/1/r1.lock']); // the killed writer's
      const was = when === 'before' ? A : B;
      expect(git(repo, 'rev-parse', 'refs/ml/runs/1/r1')).toBe(was);

      const started = Date.now();
      refs.update([{ ref: 'refs/ml/runs/1/r1', value: was === A ? B : A, expect: was }]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(git(repo, 'rev-parse', 'refs/ml/runs/1/r1')).toBe(was === A ? B : A);
      expect(lockFiles()).toEqual([]);
      fsck();
    });

    it(`leaves no packed-refs.lock that blocks the next write when killed ${when} packed-refs is renamed`, async () => {
      const refs = new RefStore(gitDir, 3000);
      refs.createPacked(new Map([['refs/ml/runs/1/r0', A]]));
      const signal = await killedDuringUpdate(
        `refs.createPacked(new Map([['refs/ml/runs/1/r1', ${JSON.stringify(B)}]]));`,
        join(gitDir, 'packed-refs'),
        when,
      );
      expect(signal).toBe('SIGKILL');
      if (when === 'before') expect(lockFiles()).toEqual(['packed-refs.lock']);

      const started = Date.now();
      refs.createPacked(new Map([['refs/ml/runs/1/r2', B]]));
      expect(Date.now() - started).toBeLessThan(2000);
      const expected = [`${A} refs/ml/runs/1/r0`, ...(when === 'after' ? [`${B} refs/ml/runs/1/r1`] : []), `${B} refs/ml/runs/1/r2`];
      expect(git(repo, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/ml/').split('\n')).toEqual(expected);
      expect(lockFiles()).toEqual([]);
      fsck();
    });
  }

  it('leaves nothing behind that blocks the next update when a tight update loop is killed at random moments', async () => {
    const refs = new RefStore(gitDir, 3000);
    refs.update([{ ref: 'refs/ml/runs/1/r1', value: A, expect: null }]);
    const script = join(tempDir('gitml-script-'), 'loop.mjs');
    writeFileSync(
      script,
      `import { RefStore } from ${JSON.stringify(GITSTORE_DIST)};
const refs = new RefStore(${JSON.stringify(gitDir)});
const ids = [${JSON.stringify(A)}, ${JSON.stringify(B)}];
for (let i = 0; ; i++) {
  refs.update([{ ref: 'refs/ml/runs/1/r1', value: ids[i % 2] }]);
  refs.createPacked(new Map([['refs/ml/runs/2/r' + process.pid + '-' + i, ids[i % 2]]]));
  if (i === 20) process.stdout.write('running\\n');
}
`,
    );
    let leftLocks = 0;
    for (let k = 0; k < 12; k++) {
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((r) => child.on('exit', r));
      await new Promise<void>((res) => child.stdout.once('data', () => res()));
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 40));
      child.kill('SIGKILL');
      await exited;
      if (lockFiles().length) leftLocks++;
      const now = git(repo, 'rev-parse', 'refs/ml/runs/1/r1');
      const started = Date.now();
      refs.update([{ ref: 'refs/ml/runs/1/r1', value: now === A ? B : A, expect: now }]);
      refs.createPacked(new Map([[`refs/ml/runs/3/after-${k}`, A]]));
      expect(Date.now() - started, `update after kill ${k}`).toBeLessThan(2000);
      expect(lockFiles()).toEqual([]);
    }
    // eslint-disable-next-line no-console
    console.log(`random kills that left a lock behind (all broken): ${leftLocks}/12`);
    fsck();
    // the killed writers' owner and value files are cleaned up by the next process that locks
    await runScript(`import { RefStore } from ${JSON.stringify(GITSTORE_DIST)};
new RefStore(${JSON.stringify(gitDir)}).update([{ ref: 'refs/ml/runs/1/cleanup', value: ${JSON.stringify(A)} }]);
`);
    expect(readdirSync(join(gitDir, 'ml/locks')).filter((n) => !n.startsWith(`${process.pid}-`))).toEqual([]);
  });
});

describe('lock files git-ml must never break', () => {
  it("waits for a C git transaction that holds a ref's lock (git update-ref --stdin), however long it takes", async () => {
    const refs = new RefStore(gitDir, 2500);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    const cgit = spawn('git', ['update-ref', '--stdin'], { cwd: repo, env: GIT_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((r) => cgit.on('exit', r));
    cgit.stdin.write('start\ndelete refs/ml/t/a\nprepare\n');
    await new Promise<void>((res) => cgit.stdout.on('data', (d: Buffer) => d.toString().includes('prepare: ok') && res()));
    try {
      const lock = join(gitDir, 'refs/ml/t/a.lock');
      const content = readFileSync(lock, 'utf8'); // empty: C git writes nothing into a delete's lock
      await new Promise((r) => setTimeout(r, 300));
      expect(() => refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }])).toThrow(RefLockedError);
      expect(existsSync(lock)).toBe(true);
      expect(readFileSync(lock, 'utf8')).toBe(content);
    } finally {
      cgit.stdin.end('commit\n');
      await exited;
    }
    // C git finished its own transaction: the ref is deleted as it asked, with no lock left
    expect(() => git(repo, 'rev-parse', '--verify', '-q', 'refs/ml/t/a')).toThrow();
    expect(lockFiles()).toEqual([]);
    refs.update([{ ref: 'refs/ml/t/a', value: B, expect: null }]);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(B);
  });
});
