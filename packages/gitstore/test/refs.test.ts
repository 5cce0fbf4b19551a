/**
 * RefStore against real repositories: compare-and-swap, git's `.lock` protocol, all-or-nothing
 * transactions, and refs that `git pack-refs` moved into `packed-refs`. Every result is checked
 * with the real git binary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GIT_ENV, git, removeTempDirs, repoWithCommits, tempDir } from '@git-ml/test-support';
import { GitStore, RefConflictError, RefLockedError, RefStore } from '@git-ml/gitstore';

afterAll(removeTempDirs);

let repo: string;
let gitDir: string;
let A: string;
let B: string;
let C: string;

beforeEach(() => {
  ({ repo, commits: [A, B, C] } = repoWithCommits('gitml-refs-', 'A', 'B', 'C'));
  gitDir = join(repo, '.git');
});

/** `git show-ref` as a map (null when git lists nothing under the prefix). */
function showRef(prefix = 'refs/ml/'): Map<string, string> {
  const out = new Map<string, string>();
  const text = git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', prefix);
  for (const line of text.split('\n').filter(Boolean)) {
    const [name, oid] = line.split(' ');
    out.set(name, oid);
  }
  return out;
}

function lockFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.lock')) found.push(p);
    }
  };
  walk(dir);
  return found;
}

function fsckOk(): void {
  // throws (non-zero exit) on any error; --strict turns fsck warnings into errors
  execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: repo, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('compare-and-swap ref updates', () => {
  it('creates a ref only when it must not exist, and git reads the new value', () => {
    const refs = new RefStore(gitDir);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(A);
    expect(refs.read('refs/ml/t/a')).toBe(A);

    let err: unknown;
    try {
      refs.update([{ ref: 'refs/ml/t/a', value: B, expect: null }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RefConflictError);
    expect((err as RefConflictError).code).toBe('REF_CONFLICT');
    expect((err as RefConflictError).data).toMatchObject({ ref: 'refs/ml/t/a', expected: null, actual: A });
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(A);
  });

  it('moves a ref when the expectation holds and refuses (RefConflictError) when it does not', () => {
    const refs = new RefStore(gitDir);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }]);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(B);

    expect(() => refs.update([{ ref: 'refs/ml/t/a', value: C, expect: A }])).toThrow(RefConflictError);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(B);
    expect(lockFilesUnder(join(gitDir, 'refs'))).toEqual([]);

    // deleting with a stale expectation fails too, and the ref survives
    expect(() => refs.update([{ ref: 'refs/ml/t/a', value: null, expect: A }])).toThrow(RefConflictError);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(B);
    refs.update([{ ref: 'refs/ml/t/a', value: null, expect: B }]);
    expect(showRef().has('refs/ml/t/a')).toBe(false);
    expect(refs.read('refs/ml/t/a')).toBeNull();
    fsckOk();
  });

  it('sees a ref moved by the user\'s own git (`git update-ref`) and refuses a stale update', () => {
    const refs = new RefStore(gitDir);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    git(repo, 'update-ref', 'refs/ml/t/a', C, A);
    expect(() => refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }])).toThrow(RefConflictError);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(C);
  });
});

describe('git\'s <ref>.lock protocol', () => {
  it('waits for a held <ref>.lock and then fails with RefLockedError, leaving the lock and the ref alone', () => {
    const refs = new RefStore(gitDir, 300);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    const lock = join(gitDir, 'refs/ml/t/a.lock');
    writeFileSync(lock, `${C}\n`); // as C git does while it updates the ref
    const old = new Date(Date.now() - 3600_000);
    utimesSync(lock, old, old); // even an old lock that is not git-ml's is never broken

    const started = Date.now();
    let err: unknown;
    try {
      refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }]);
    } catch (e) {
      err = e;
    }
    const waited = Date.now() - started;
    expect(err).toBeInstanceOf(RefLockedError);
    expect((err as RefLockedError).code).toBe('REF_LOCKED');
    expect((err as RefLockedError).message).toContain('refs/ml/t/a');
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(5000);
    // the lock belongs to someone else: it is neither removed nor overwritten, and the ref did not move
    expect(readFileSync(lock, 'utf8')).toBe(`${C}\n`);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(A);
  });

  it('makes the user\'s git fail while git-ml holds the lock (same lock file as C git)', () => {
    const refs = new RefStore(gitDir);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    const tx = refs.transaction();
    try {
      expect(tx.lock('refs/ml/t/a')).toBe(A);
      expect(existsSync(join(gitDir, 'refs/ml/t/a.lock'))).toBe(true);
      expect(() => git(repo, 'update-ref', 'refs/ml/t/a', B)).toThrow(/lock/i);
    } finally {
      tx.release();
    }
    expect(existsSync(join(gitDir, 'refs/ml/t/a.lock'))).toBe(false);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(A);
  });

  it('succeeds once another process releases the lock within the timeout', async () => {
    const refs = new RefStore(gitDir, 5000);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    const lock = join(gitDir, 'refs/ml/t/a.lock');
    writeFileSync(lock, '');
    // an independent OS process removes the lock after a while (our update blocks this thread)
    const child = spawn('sh', ['-c', `sleep 0.4; rm -f '${lock}'`], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const started = Date.now();
    refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }]);
    const waited = Date.now() - started;
    await exited;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(B);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('locks left by a killed git-ml process', () => {
  const GITSTORE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

  /** A real process that takes the ref's lock through RefStore and reports it; it then waits. */
  function lockHolder(ref: string) {
    const script = join(tempDir('gitml-script-'), 'holder.mjs');
    writeFileSync(
      script,
      `import { RefStore } from ${JSON.stringify(GITSTORE_DIST)};
const tx = new RefStore(${JSON.stringify(gitDir)}).transaction();
tx.lock(${JSON.stringify(ref)});
process.stdout.write('locked\\n');
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const locked = new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && res());
      child.on('exit', (code) => rej(new Error(`lock holder exited early (${code})`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    return { child, locked, exited };
  }

  it('breaks the <ref>.lock of a git-ml process that was killed while holding it', async () => {
    const refs = new RefStore(gitDir, 8000);
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    const h = lockHolder('refs/ml/t/a');
    await h.locked;
    h.child.kill('SIGKILL');
    await h.exited;
    expect(existsSync(join(gitDir, 'refs/ml/t/a.lock'))).toBe(true);
    const started = Date.now();
    refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(B);
    expect(lockFilesUnder(join(gitDir, 'refs'))).toEqual([]);
    fsckOk();
  });

  it('never breaks the <ref>.lock of a git-ml process that is still alive', async () => {
    const refs = new RefStore(gitDir, 1600); // longer than a lock needs to be old to count as stale
    refs.update([{ ref: 'refs/ml/t/a', value: A, expect: null }]);
    const h = lockHolder('refs/ml/t/a');
    try {
      await h.locked;
      expect(() => refs.update([{ ref: 'refs/ml/t/a', value: B, expect: A }])).toThrow(RefLockedError);
      expect(existsSync(join(gitDir, 'refs/ml/t/a.lock'))).toBe(true);
      expect(git(repo, 'rev-parse', 'refs/ml/t/a')).toBe(A);
    } finally {
      h.child.kill('SIGKILL');
      await h.exited;
    }
  });
});

describe('multi-ref transactions', () => {
  it('changes no ref at all when one expectation fails', () => {
    const refs = new RefStore(gitDir);
    refs.update([
      { ref: 'refs/ml/t/a', value: A, expect: null },
      { ref: 'refs/ml/t/b', value: A, expect: null },
      { ref: 'refs/ml/t/z', value: A, expect: null },
    ]);
    const before = showRef();
    expect(before.size).toBe(3);

    // the failing expectation sorts last, after the others were locked and set
    expect(() =>
      refs.update([
        { ref: 'refs/ml/t/a', value: B, expect: A },
        { ref: 'refs/ml/t/b', value: null, expect: A },
        { ref: 'refs/ml/t/new', value: B, expect: null },
        { ref: 'refs/ml/t/z', value: B, expect: C },
      ]),
    ).toThrow(RefConflictError);

    expect(showRef()).toEqual(before);
    expect(lockFilesUnder(join(gitDir, 'refs'))).toEqual([]);
    fsckOk();
  });

  it('applies every update of a transaction that holds, deletes included', () => {
    const refs = new RefStore(gitDir);
    refs.update([
      { ref: 'refs/ml/t/a', value: A, expect: null },
      { ref: 'refs/ml/t/b', value: A, expect: null },
    ]);
    refs.update([
      { ref: 'refs/ml/t/a', value: B, expect: A },
      { ref: 'refs/ml/t/b', value: null, expect: A },
      { ref: 'refs/ml/t/c', value: C, expect: null },
    ]);
    expect(showRef()).toEqual(new Map([
      ['refs/ml/t/a', B],
      ['refs/ml/t/c', C],
    ]));
    fsckOk();
  });
});

describe('packed refs (after `git pack-refs --all`)', () => {
  function setup(refs: RefStore): Map<string, string> {
    refs.update([
      { ref: 'refs/ml/runs/1/r1', value: A, expect: null },
      { ref: 'refs/ml/runs/1/r2', value: B, expect: null },
      { ref: 'refs/ml/runs/2/r3', value: C, expect: null },
      { ref: 'refs/ml/experiments/1', value: A, expect: null },
    ]);
    git(repo, 'pack-refs', '--all');
    // the loose files are gone: the values live in packed-refs only
    expect(existsSync(join(gitDir, 'refs/ml/runs/1/r1'))).toBe(false);
    expect(readFileSync(join(gitDir, 'packed-refs'), 'utf8')).toContain(`${A} refs/ml/runs/1/r1`);
    return showRef();
  }

  it('reads and lists packed refs exactly as git does', () => {
    const refs = new RefStore(gitDir);
    const expected = setup(refs);
    expect(refs.read('refs/ml/runs/1/r1')).toBe(A);
    expect(refs.read('refs/ml/runs/2/r3')).toBe(C);
    expect(refs.read('refs/ml/runs/2/nope')).toBeNull();
    expect(refs.list('refs/ml/')).toEqual(expected);
    expect(refs.list('refs/ml/runs/')).toEqual(new Map([...expected].filter(([r]) => r.startsWith('refs/ml/runs/'))));
    // a fresh RefStore (no cache) agrees
    expect(new RefStore(gitDir).list('refs/ml/')).toEqual(expected);
  });

  it('updates a packed ref with compare-and-swap; git show-ref agrees and fsck passes', () => {
    const refs = new RefStore(gitDir);
    setup(refs);
    expect(() => refs.update([{ ref: 'refs/ml/runs/1/r1', value: C, expect: B }])).toThrow(RefConflictError);
    refs.update([{ ref: 'refs/ml/runs/1/r1', value: C, expect: A }]);
    expect(git(repo, 'show-ref', '--verify', '--hash', 'refs/ml/runs/1/r1')).toBe(C);
    expect(refs.read('refs/ml/runs/1/r1')).toBe(C);
    expect(refs.list('refs/ml/').get('refs/ml/runs/1/r1')).toBe(C);
    expect(refs.list('refs/ml/')).toEqual(showRef());
    fsckOk();
  });

  it('deletes a packed ref (from packed-refs too), and a packed ref that also has a newer loose value', () => {
    const refs = new RefStore(gitDir);
    setup(refs);
    refs.update([{ ref: 'refs/ml/runs/1/r2', value: null, expect: B }]);
    expect(showRef().has('refs/ml/runs/1/r2')).toBe(false);
    expect(readFileSync(join(gitDir, 'packed-refs'), 'utf8')).not.toContain('refs/ml/runs/1/r2');
    expect(refs.read('refs/ml/runs/1/r2')).toBeNull();

    // packed value A, loose override B: deleting must not resurrect the packed A
    refs.update([{ ref: 'refs/ml/runs/1/r1', value: B, expect: A }]);
    expect(existsSync(join(gitDir, 'refs/ml/runs/1/r1'))).toBe(true);
    refs.update([{ ref: 'refs/ml/runs/1/r1', value: null, expect: B }]);
    expect(refs.read('refs/ml/runs/1/r1')).toBeNull();
    expect(() => git(repo, 'show-ref', '--verify', 'refs/ml/runs/1/r1')).toThrow();

    const after = showRef();
    expect(after).toEqual(new Map([
      ['refs/ml/experiments/1', A],
      ['refs/ml/runs/2/r3', C],
    ]));
    expect(refs.list('refs/ml/')).toEqual(after);
    expect(lockFilesUnder(gitDir).filter((p) => !p.endsWith('index.lock'))).toEqual([]);
    fsckOk();
    // git itself can still pack and read everything
    git(repo, 'pack-refs', '--all');
    expect(refs.list('refs/ml/')).toEqual(after);
  });

  it('keeps refs readable through GitStore after `git gc` packs refs and objects', () => {
    const refs = new RefStore(gitDir);
    const expected = setup(refs);
    git(repo, 'gc', '-q');
    const store = GitStore.open(repo);
    expect(store.refs.list('refs/ml/')).toEqual(expected);
    expect(store.objects.readCommit(store.refs.read('refs/ml/runs/2/r3')!).message).toBe('C\n');
    expect(store.head()).toEqual({ branch: 'main', commit: C });
  });
});

describe('ref names', () => {
  it('refuses names git would refuse, before touching the filesystem', () => {
    const refs = new RefStore(gitDir);
    for (const bad of ['refs/ml/a..b', 'refs/ml/a.lock', 'refs/ml/.hidden', 'refs/ml/a b', 'refs/ml/x/', 'ml/nope']) {
      expect(() => refs.update([{ ref: bad, value: A }]), bad).toThrow(/not a valid git ref name/);
    }
    expect(showRef().size).toBe(0);
    expect(existsSync(join(gitDir, 'refs/ml'))).toBe(false);
  });
});

describe('RefStore.taken', () => {
  it('names the refs that exist loose or packed or are being written, reading a directory once when it holds many', () => {
    const refs = new RefStore(gitDir);
    for (const count of [3, 40]) {
      const dir = `refs/ml/taken-${count}`;
      const names = Array.from({ length: count }, (_, i) => `${dir}/r${i}`);
      // git itself makes r0 loose and r1 packed; r2 has only a lock file (a writer is creating it)
      git(repo, 'update-ref', names[0], A);
      git(repo, 'update-ref', names[1], B);
      git(repo, 'pack-refs', '--all', '--no-prune');
      git(repo, 'update-ref', '-d', names[1]); // deletes both; pack it again alone
      git(repo, 'update-ref', names[1], B);
      git(repo, 'pack-refs', '--all');
      git(repo, 'update-ref', names[0], C); // loose again, over its packed line
      writeFileSync(join(gitDir, `${names[2]}.lock`), `${A}\n`);
      expect(existsSync(join(gitDir, names[1]))).toBe(false);
      const asked = [...names, `${dir}-missing/x`, 'refs/ml/no-dir/at/all'];
      expect([...refs.taken(asked)].sort()).toEqual([names[0], names[1], names[2]].sort());
    }
  });
});
