/**
 * Symbolic links in a logged directory: links to files are followed (a HuggingFace snapshot keeps
 * its weights), links to directories inside the logged directory too; dangling links, loops, links
 * to directories outside it and special files fail the call naming each path — nothing is dropped
 * silently. Real files, real git.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeClients, fsckStrict, git, gitBuf, makeRepo, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

/** `git ls-tree -r` of a tree-ish as path → [mode, oid]. */
function lsTree(repo: string, treeish: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const line of git(repo, 'ls-tree', '-r', treeish).split('\n').filter(Boolean)) {
    const [meta, path] = line.split('\t');
    const [mode, , oid] = meta!.split(' ');
    out.set(path!, [mode!, oid!]);
  }
  return out;
}

describe('symbolic links in logArtifacts', () => {
  it('keeps the weights of a HuggingFace-style snapshot whose files link to ../../blobs, and follows links to directories inside it', async () => {
    const repo = makeRepo();
    const cache = tempDir('gitml-hf-');
    mkdirSync(join(cache, 'blobs'));
    mkdirSync(join(cache, 'snapshots/rev1/tokenizer'), { recursive: true });
    const weights = randomBytes(300_000);
    writeFileSync(join(cache, 'blobs/abc'), weights);
    writeFileSync(join(cache, 'blobs/def'), '{"hidden": 8}\n');
    writeFileSync(join(cache, 'blobs/run'), '#!/bin/sh\necho serve\n');
    chmodSync(join(cache, 'blobs/run'), 0o755);
    writeFileSync(join(cache, 'snapshots/rev1/tokenizer/vocab.txt'), 'a\nb\n');
    const snap = join(cache, 'snapshots/rev1');
    symlinkSync('../../blobs/abc', join(snap, 'model.safetensors'));
    symlinkSync('../../blobs/def', join(snap, 'config.json'));
    symlinkSync('../../blobs/run', join(snap, 'serve.sh'));
    symlinkSync('tokenizer', join(snap, 'tok')); // a directory link inside the snapshot

    const c = openClient(repo);
    const run = c.createRun('0').info.run_id;
    await c.logArtifacts(run, snap, 'model');
    c.flush();

    const ref = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs/').trim();
    const tree = lsTree(repo, `${ref}:artifacts`);
    const hash = (p: string) => git(repo, 'hash-object', p);
    expect(tree).toEqual(new Map([
      ['model/config.json', ['100644', hash(join(cache, 'blobs/def'))]],
      ['model/model.safetensors', ['100644', hash(join(cache, 'blobs/abc'))]],
      ['model/serve.sh', ['100755', hash(join(cache, 'blobs/run'))]],
      ['model/tok/vocab.txt', ['100644', hash(join(snap, 'tokenizer/vocab.txt'))]],
      ['model/tokenizer/vocab.txt', ['100644', hash(join(snap, 'tokenizer/vocab.txt'))]],
    ]));
    expect(gitBuf(repo, ['show', `${ref}:artifacts/model/model.safetensors`]).equals(weights)).toBe(true);
    expect(c.listArtifacts(run, 'model').find((f) => f.path === 'model/model.safetensors')?.file_size).toBe(weights.length);
    const out = await c.downloadArtifacts(run, 'model', tempDir('gitml-hf-out-'));
    expect(readFileSync(join(out, 'model.safetensors')).equals(weights)).toBe(true);
    fsckStrict(repo);
  });

  it('fails naming every dangling link, loop, outside directory link and FIFO, and logs nothing', async () => {
    const repo = makeRepo();
    const outside = tempDir('gitml-outside-');
    writeFileSync(join(outside, 'secret.txt'), 'not yours\n');
    const src = tempDir('gitml-badlinks-');
    mkdirSync(join(src, 'sub'));
    writeFileSync(join(src, 'ok.txt'), 'fine\n');
    writeFileSync(join(src, 'sub/fine.txt'), 'fine too\n');
    symlinkSync('missing.bin', join(src, 'dangling.bin'));
    symlinkSync('self', join(src, 'self'));
    symlinkSync('..', join(src, 'sub/back'));
    symlinkSync(outside, join(src, 'ext'));
    execFileSync('mkfifo', [join(src, 'pipe')]);

    const c = openClient(repo);
    const run = c.createRun('0').info.run_id;
    const e = (await c.logArtifacts(run, src).then(() => new Error('expected logArtifacts to fail'), (x: unknown) => x)) as Error & { code?: string; data?: { problems: string[] } };
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.data!.problems.sort()).toEqual([
      'dangling.bin -> missing.bin: a dangling link (its target does not exist)',
      `ext -> ${outside}: a link to a directory outside the logged directory (${outside})`,
      'pipe: not a regular file, directory or link (a socket, FIFO or device)',
      'self -> self: a link loop',
      'sub/back: a link loop (it leads back to the logged directory, which contains it)',
    ]);
    expect(e.message).toContain(`Cannot log artifacts from ${src}: 5 entries cannot be stored (nothing was logged)`);
    expect(e.message).toContain('  dangling.bin -> missing.bin');
    expect(e.message).not.toMatch(/\n\s+at /);
    c.flush();
    expect(c.listArtifacts(run)).toEqual([]);
    fsckStrict(repo);
  });
});
