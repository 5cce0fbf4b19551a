/**
 * A third, independent reader: every object git-ml writes — run records in format 2 (chunked
 * metric histories, summaries), experiments, registry records and annotated version tags, in the
 * kept and compacted packs folds write, and again after `git gc` deltified them — is read through
 * isomorphic-git as well as C git, and the two agree object by object.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { describe, expect, it } from 'vitest';
import { fsckStrict, git as cgit, gitBuf, makeRepo } from '@git-ml/test-support';
import { open, runWithModel } from './helpers.js';

/** Every object reachable from `oid`, read by isomorphic-git: oid → type (and blob bytes). */
async function walkIso(gitdir: string, start: string, seen: Map<string, { type: string; blob?: Buffer }>): Promise<void> {
  const stack = [start];
  while (stack.length > 0) {
    const oid = stack.pop()!;
    if (seen.has(oid)) continue;
    const o = await git.readObject({ fs, gitdir, oid, format: 'parsed' });
    if (o.type === 'blob') {
      seen.set(oid, { type: 'blob', blob: Buffer.from(o.object as Uint8Array) });
    } else if (o.type === 'tree') {
      seen.set(oid, { type: 'tree' });
      for (const e of o.object as { oid: string; type: string }[]) if (e.type !== 'commit') stack.push(e.oid);
    } else if (o.type === 'commit') {
      seen.set(oid, { type: 'commit' });
      const c = o.object as { tree: string; parent: string[] };
      stack.push(c.tree, ...c.parent);
    } else if (o.type === 'tag') {
      seen.set(oid, { type: 'tag' });
      stack.push((o.object as { object: string }).object);
    }
  }
}

async function compareAll(repo: string): Promise<number> {
  const gitdir = join(repo, '.git');
  const refs = cgit(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/ml/', 'refs/tags/').split('\n').filter(Boolean).map((l) => l.split(' '));
  const seen = new Map<string, { type: string; blob?: Buffer }>();
  for (const [ref, oid] of refs) {
    // isomorphic-git resolves the ref itself (loose or packed-refs) to the same object
    expect(await git.resolveRef({ fs, gitdir, ref }), ref).toBe(oid);
    await walkIso(gitdir, oid, seen);
  }
  // C git's view of the same set of objects
  const expected = cgit(repo, 'rev-list', '--objects', ...refs.map(([r]) => r)).split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
  const tags = refs.filter(([r]) => r.startsWith('refs/tags/')).map(([, o]) => o);
  expect(new Set(seen.keys())).toEqual(new Set([...expected, ...tags]));
  const checks = gitBuf(repo, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], `${[...seen.keys()].join('\n')}\n`).toString().split('\n').filter(Boolean);
  for (const line of checks) {
    const [oid, type] = line.split(' ');
    expect(seen.get(oid)!.type, oid).toBe(type);
  }
  for (const [oid, o] of seen) if (o.blob) expect(o.blob.equals(gitBuf(repo, ['cat-file', 'blob', oid])), oid).toBe(true);
  return seen.size;
}

describe('isomorphic-git reads everything git-ml writes', () => {
  it('runs, experiments, registry records and version tags, in fold packs and after git gc', async () => {
    const repo = makeRepo();
    const { reg, ml } = open(repo);
    const exp = ml.createExperiment('third-reader');
    for (let r = 0; r < 3; r++) {
      const run = ml.createRun(exp, { runName: `r${r}` }).info.run_id;
      ml.logBatch(run, { params: { r: String(r) }, tags: { note: 'é ✓' } });
      for (let s = 0; s < 2500; s++) ml.logMetric(run, 'loss', 1 / (s + 1), { step: s });
      ml.logMetric(run, 'acc', Number.NaN, { step: 0 });
      ml.setTerminated(run);
    }
    const modelRun = await runWithModel(ml, 'weights');
    reg.createModelVersion('reader-model', `runs:/${modelRun}/model`);
    ml.flush();
    const before = await compareAll(repo);
    expect(before).toBeGreaterThan(30);
    // after gc: one pack with deltas, packed-refs
    cgit(repo, 'gc', '--quiet', '--aggressive');
    expect(await compareAll(repo)).toBe(before);
    fsckStrict(repo);
  }, 120_000);
});
