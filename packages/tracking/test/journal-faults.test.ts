/**
 * Faults in the journal and fold path (issue 12): bad journals are isolated, a full disk never
 * acknowledges a lost value, a pull while a run is logging neither duplicates points nor reverts
 * tags. Real processes, real git, a real full file system (a small tmpfs) where the machine allows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MlClient, pull, push } from '@git-ml/tracking';
import { closeClients, fsckStrict, git, journalFiles, makeRepo, openClient, removeTempDirs, sleep, startNode, tempDir, writeWorker } from '@git-ml/test-support';

afterEach(() => {
  closeClients();
  removeTempDirs();
});

/** Captures what git-ml writes to stderr while `fn` runs. */
function stderrOf<T>(fn: () => T): { value: T; err: string } {
  const orig = process.stderr.write.bind(process.stderr);
  let err = '';
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  };
  try {
    return { value: fn(), err };
  } finally {
    (process.stderr as { write: unknown }).write = orig;
  }
}

const DEAD_PROC = { pid: 2 ** 22 + 12345, host: hostname(), start: '1' };

describe('a bad journal never stops the repository', () => {
  it.each([
    ['a garbage header', 'this is not json\n{"r":"' + 'a'.repeat(32) + '","op":"t","k":"x","v":"y"}\n'],
    ['a null line', null],
    ['a 42 line', 42],
    ['an empty object line', {}],
    ['a metric line missing fields', { op: 'm', k: 'loss' }],
    ['a run whose ref was deleted', { op: 't', k: 'x', v: 'y', r: 'f'.repeat(32) }],
  ])('%s: every command works, the file is moved aside and named, good lines are folded', (_name, bad) => {
    const repo = makeRepo();
    const c = openClient(repo);
    const good = c.createRun('0', { runName: 'good' }).info.run_id;
    c.close();
    const dir = join(repo, '.git', 'ml', 'journal');
    mkdirSync(dir, { recursive: true });
    const writer = `${DEAD_PROC.pid}-0123456789ab`;
    const header = JSON.stringify({ op: 'hdr', writer, proc: DEAD_PROC });
    const goodLine = JSON.stringify({ r: good, op: 't', k: 'from', v: 'dead process' });
    let text: string;
    if (typeof bad === 'string') text = bad;
    else {
      const line = bad !== null && typeof bad === 'object' && !('r' in bad) && Object.keys(bad).length > 0 ? { r: good, ...bad } : bad;
      text = `${header}\n${goodLine}\n${JSON.stringify(line)}\n`;
    }
    writeFileSync(join(dir, `${writer}.jsonl`), text);
    const { value: client, err } = stderrOf(() => new MlClient({ repo }));
    try {
      expect(err).toContain(`${writer}.jsonl`);
      expect(err).toMatch(/moved to .*journal-quarantine/);
      expect(journalFiles(repo)).toEqual([]);
      expect(existsSync(join(repo, '.git', 'ml', 'journal-quarantine', `${writer}.jsonl`))).toBe(true);
      // everything else works
      expect(client.searchRuns('0').runs.map((r) => r.info.run_id)).toEqual([good]);
      const fresh = client.createRun('0').info.run_id;
      client.logMetric(fresh, 'm', 1);
      expect(client.getRun(fresh).data.metrics).toHaveLength(1);
      if (typeof bad !== 'string') expect(client.getRun(good).data.tags).toContainEqual({ key: 'from', value: 'dead process' });
    } finally {
      client.close();
    }
    // the CLI too
    const cli = join(__dirname, '..', '..', 'cli', 'bin', 'git-ml.js');
    expect(execFileSync(process.execPath, [cli, 'runs', 'list', '--experiment', '0'], { cwd: repo }).toString()).toContain('good');
    fsckStrict(repo);
  });
});

/** Can this machine mount a small tmpfs (root, and mount allowed)? Checked once, unmounted at once. */
function canMount(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'gitml-mountcheck-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const noMount = canMount();

describe('a full disk', () => {
  it.skipIf(noMount !== null)(`never acknowledges a value it did not write; a batch is all or nothing${noMount ? ` (skipped: ${noMount})` : ''}`, () => {
    const mnt = mkdtempSync(join(tmpdir(), 'gitml-fullfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${8 << 20}`, 'tmpfs', mnt], { stdio: 'pipe' });
    try {
      fullDisk(mnt);
    } finally {
      execFileSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  }, 60_000);
});

function fullDisk(mnt: string): void {
  {
    const repo = join(mnt, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    const c = new MlClient({ repo });
    const run = c.createRun('0', { recordSource: false }).info.run_id;
    c.logMetric(run, 'ok', 1, { step: 0 });
    c.flush();
    // fill the disk to the last byte
    const filler = join(mnt, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { stdio: 'pipe' });
    } catch {
      // dd stops with "No space left on device"
    }
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}-tail`, 'bs=1'], { stdio: 'pipe' });
    } catch {
      // the last bytes
    }
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'batch', value: i, step: i }));
    const batchErr = (() => {
      try {
        c.logBatch(run, { metrics });
      } catch (e) {
        return e as Error & { code?: string };
      }
      return null;
    })();
    expect(batchErr?.code).toBe('JOURNAL_WRITE_FAILED');
    expect(batchErr?.message).toMatch(/disk is full.*NOT logged|NOT logged.*disk is full/);
    // a later call either throws or is durable: never glued to a torn line and lost
    const acknowledged: number[] = [];
    for (let i = 0; i < 50; i++) {
      try {
        c.logMetric(run, 'single', i, { step: i });
        acknowledged.push(i);
      } catch (e) {
        expect((e as { code?: string }).code).toBe('JOURNAL_WRITE_FAILED');
      }
    }
    expect(acknowledged.length).toBeLessThan(50);
    // space again: the next call is durable, and nothing of the failed calls appears
    execFileSync('rm', ['-f', filler, `${filler}-tail`]);
    c.logMetric(run, 'single', 100, { step: 100 });
    acknowledged.push(100);
    c.close();
    const again = new MlClient({ repo });
    try {
      expect(again.getMetricHistory(run, 'batch')).toEqual([]);
      expect(again.getMetricHistory(run, 'single').map((m) => m.value)).toEqual(acknowledged);
      expect(again.getMetricHistory(run, 'ok').map((m) => m.value)).toEqual([1]);
    } finally {
      again.close();
    }
    fsckStrict(repo);
  }
}

describe('pull while a run is still logging', () => {
  it('keeps every point once and takes the remote tag', async () => {
    const remote = tempDir('gitml-remote-');
    git(remote, 'init', '-q', '--bare');
    const a = makeRepo();
    git(a, 'remote', 'add', 'origin', remote);
    const ca = new MlClient({ repo: a });
    const run = ca.createRun('0').info.run_id;
    ca.logMetric(run, 'loss', 0, { step: 0 });
    ca.setTag(run, 'note', 'old');
    ca.close();
    git(a, 'push', '-q', 'origin', 'refs/ml/*:refs/ml/*');
    const b = tempDir('gitml-clone-');
    git(b, 'clone', '-q', remote, '.');
    git(b, 'fetch', '-q', 'origin', 'refs/ml/*:refs/ml/*');
    // a process in A keeps logging every 50 ms (its folds come about once a second)
    const worker = writeWorker(
      tempDir('gitml-w-'),
      'log.mjs',
      `const c = new MlClient({ repo: arg[0] });
       for (let i = 1; i <= 60; i++) { c.logMetric(arg[1], 'loss', i, { step: i }); say('step ' + i); await new Promise((r) => setTimeout(r, 50)); }
       c.close(); say('done');`,
    );
    const child = startNode(worker, [a, run], a);
    await child.waitFor(/step 10\n/);
    const cb = new MlClient({ repo: b });
    cb.setTag(run, 'note', 'new');
    push(cb, 'origin');
    cb.close();
    const pa = new MlClient({ repo: a });
    const res = pull(pa, 'origin');
    expect(res.merged.length + res.updated.length).toBe(1);
    expect(pa.getRun(run).data.tags).toContainEqual({ key: 'note', value: 'new' });
    pa.close();
    await child.waitFor(/done\n/);
    await child.done;
    await sleep(50);
    const check = new MlClient({ repo: a });
    try {
      const steps = check.getMetricHistory(run, 'loss').map((m) => m.step);
      expect(steps.length).toBe(61);
      expect(new Set(steps).size).toBe(61);
      expect(check.getRun(run).data.tags).toContainEqual({ key: 'note', value: 'new' });
    } finally {
      check.close();
    }
    fsckStrict(a);
  }, 60_000);
});

describe('git gc --prune=now beside a logging process', () => {
  it('loses no run: objects deleted before the ref moved are written again', async () => {
    const repo = makeRepo();
    const worker = writeWorker(
      tempDir('gitml-w-'),
      'runs.mjs',
      `const c = new MlClient({ repo: arg[0] });
       const ids = [];
       for (let i = 0; i < 300; i++) {
         const r = c.createRun('0', { runName: 'r' + i, recordSource: false }).info.run_id;
         c.logBatch(r, { metrics: [{ key: 'm', value: i, step: 0 }], params: { i: String(i) } });
         c.setTerminated(r);
         ids.push(r);
         if (i % 10 === 0) await tick();
       }
       c.close();
       say(JSON.stringify(ids));`,
    );
    const child = startNode(worker, [repo], repo);
    let stop = false;
    const gcLoop = (async () => {
      while (!stop) {
        try {
          execFileSync('git', ['gc', '--prune=now', '--quiet'], { cwd: repo, stdio: 'pipe' });
        } catch {
          // gc may fail on a lock held by the writer: try again
        }
        await sleep(10);
      }
    })();
    const out = await child.done;
    stop = true;
    await gcLoop;
    expect(out.code, out.err).toBe(0);
    const ids = JSON.parse(out.out.trim().split('\n').pop()!) as string[];
    const c = new MlClient({ repo });
    try {
      const found = new Set(c.searchRuns('0', '', { maxResults: 1000 }).runs.map((r) => r.info.run_id));
      expect(ids.filter((id) => !found.has(id))).toEqual([]);
    } finally {
      c.close();
    }
    execFileSync('git', ['gc', '--quiet'], { cwd: repo });
    fsckStrict(repo);
    expect(readdirSync(join(repo, '.git', 'ml'))).not.toContain('journal-quarantine');
  }, 120_000);
});
