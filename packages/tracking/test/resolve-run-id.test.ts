/**
 * Run ids by unique prefix (`MlClient.resolveRunId`), as git takes abbreviated hashes, and the
 * shortest unique prefixes tables print (`abbreviateRunIds`). Real repositories, real git.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AmbiguousRunIdError, MlClient, NotFoundError, RUN_ID_PREFIX_MIN } from '@git-ml/tracking';
import { caught, closeClients, git, makeRepo, openClient, removeTempDirs } from '@git-ml/test-support';

afterEach(() => {
  closeClients();
  removeTempDirs();
});

/** Length of the prefix two ids share. */
function shared(a: string, b: string): number {
  let n = 0;
  while (a[n] === b[n]) n++;
  return n;
}

describe('resolveRunId and abbreviateRunIds', () => {
  it('takes a full id, a unique prefix of 4+ characters, and refuses an ambiguous one with the candidates', () => {
    const repo = makeRepo();
    const client = openClient(repo);
    const a = client.createRun('0', { startTime: 0x01a2b3c4d5e6 }).info.run_id;
    const b = client.createRun('0', { startTime: 0x01a2b3c4d5e7 }).info.run_id;
    const c = client.createRun('0', { startTime: 0x0ff000000000 }).info.run_id;
    client.flush();
    expect(RUN_ID_PREFIX_MIN).toBe(4);
    expect(client.resolveRunId(a)).toBe(a);
    expect(client.resolveRunId(c.slice(0, 4))).toBe(c);
    expect(client.resolveRunId(a.slice(0, 12))).toBe(a); // ...d5e6 vs ...d5e7
    const err = caught(() => client.resolveRunId('01a2b3c4'));
    expect(err).toBeInstanceOf(AmbiguousRunIdError);
    expect(err.code).toBe('AMBIGUOUS_RUN_ID');
    expect(err.data).toEqual({ prefix: '01a2b3c4', candidates: [a, b].sort() });
    expect(err.message.split('\n').slice(1)).toEqual([a, b].sort().map((id) => `  ${id}`));
    expect(caught(() => client.resolveRunId('0ff'))).toBeInstanceOf(NotFoundError); // too short to be a prefix
    expect(caught(() => client.resolveRunId('abcdef'))).toBeInstanceOf(NotFoundError);

    const short = client.abbreviateRunIds([a, b, c]);
    expect(short.get(c)).toBe(c.slice(0, 8));
    expect(short.get(a)).toBe(a.slice(0, shared(a, b) + 1));
    expect(short.get(b)).toBe(b.slice(0, shared(a, b) + 1));
    for (const [id, prefix] of short) expect(client.resolveRunId(prefix)).toBe(id);
  });

  it('finds runs in packed refs, and runs another process created but never folded (only in its journal)', () => {
    const repo = makeRepo();
    const writer = openClient(repo);
    const packed = writer.createRun('0').info.run_id;
    writer.flush();
    git(repo, 'pack-refs', '--all');
    // a run whose creation is journaled: durable, though no ref exists for it yet
    const pending = writer.createRun('0', { startTime: 0x0aaaaaaaaaaa }).info.run_id;
    const reader = new MlClient({ repo });
    try {
      expect(git(repo, 'for-each-ref', 'refs/ml/runs').includes(pending)).toBe(false);
      expect(reader.resolveRunId(packed.slice(0, 14))).toBe(packed);
      expect(reader.resolveRunId(pending.slice(0, 6))).toBe(pending);
    } finally {
      reader.close();
    }
  });
});
