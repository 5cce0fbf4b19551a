import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate, createInflate } from 'node:zlib';
import { GitMlError } from '../errors.js';
import { objectHeader } from './hash.js';
import { loosePath } from './loose.js';
import { gitMlTmpDir } from '../pack/writer.js';
import type { ObjectStore } from './object-store.js';

let counter = 0;

/**
 * Stores a file as a blob without holding it in memory: the bytes are hashed and deflated as they
 * stream from disk into a temporary object file, which is renamed into place once its id is known.
 */
export async function streamBlobFromFile(objects: ObjectStore, file: string, onBytes?: (n: number) => void): Promise<string> {
  const { size } = await stat(file);
  try {
    return await streamBlobFromStream(objects, createReadStream(file), size, onBytes);
  } catch (err) {
    if (err instanceof GitMlError && err.code === 'SIZE_MISMATCH') {
      throw new GitMlError('FILE_CHANGED', `${file} changed size while it was being stored (${size} → ${(err.data as { received: number }).received} bytes). Log it again once it is complete.`, { file });
    }
    throw err;
  }
}

/**
 * Stores `size` bytes read from a stream (an HTTP upload, say) as a blob, hashed and deflated on the
 * way into a temporary object file, so it is never held in memory. A stream that ends with another
 * number of bytes is refused (`SIZE_MISMATCH`) and nothing is stored. `onBytes` hears of each chunk
 * read (for a progress bar).
 */
export async function streamBlobFromStream(objects: ObjectStore, source: Readable, size: number, onBytes?: (n: number) => void): Promise<string> {
  // written outside objects/ (git gc --prune=now deletes tmp_* files there), then renamed in
  const tmp = join(gitMlTmpDir(objects.dir), `obj_stream_${process.pid}_${++counter}`);
  const hash = createHash('sha1');
  const header = objectHeader('blob', size);
  hash.update(header);
  let seen = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > size) return done(sizeMismatch(size, seen));
      hash.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  const deflate = createDeflate({ level: 1 });
  deflate.write(header);
  await mkdir(objects.dir, { recursive: true });
  try {
    await pipeline(source, tap, deflate, createWriteStream(tmp, { mode: 0o444 }));
    if (seen !== size) throw sizeMismatch(size, seen);
    const oid = hash.digest('hex');
    const dest = loosePath(objects.dir, oid);
    if (existsSync(dest)) await unlink(tmp);
    else {
      for (let attempt = 0; ; attempt++) {
        try {
          await mkdir(dirname(dest), { recursive: true });
          await rename(tmp, dest);
          break;
        } catch (err) {
          // a concurrent `git gc` / `git prune-packed` may remove the (empty) fan-out directory again
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 50 || !existsSync(tmp)) throw err;
        }
      }
    }
    return oid;
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function sizeMismatch(expected: number, received: number): GitMlError {
  return new GitMlError('SIZE_MISMATCH', `Expected ${expected} bytes but the stream ${received > expected ? 'went on past them' : `ended after ${received}`}; nothing was stored.`, { expected, received });
}

/** Hashes what passes through as a blob of `size` bytes and fails at the end unless it is `oid`. */
function verifyBlob(oid: string, size: number): Transform {
  const hash = createHash('sha1').update(objectHeader('blob', size));
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest('hex');
      if (seen !== size || actual !== oid) done(new GitMlError('CORRUPT_OBJECT', `packed blob ${oid} inflated to ${seen} bytes hashing to ${actual}; the pack is corrupt. Run \`git fsck\`.`, { oid }));
      else done();
    },
  });
}

/**
 * Writes a blob to `dest` without holding it in memory: a loose object is inflated as it streams, a
 * packed one stored whole is inflated straight from its pack entry (and checked against its id);
 * only a packed delta is rebuilt in memory. `onBytes` hears of each chunk written (for a progress bar).
 */
export async function streamBlobToFile(objects: ObjectStore, oid: string, dest: string, onBytes?: (n: number) => void): Promise<void> {
  const count = (): Transform =>
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
  await mkdir(dirname(dest), { recursive: true });
  const path = loosePath(objects.dir, oid);
  if (!existsSync(path)) {
    const entry = objects.packedWholeEntry(oid);
    if (entry?.type === 'blob' && entry.end > entry.start) {
      try {
        await pipeline(createReadStream(entry.packPath, { start: entry.start, end: entry.end - 1 }), createInflate(), verifyBlob(oid, entry.size), count(), createWriteStream(dest));
        return;
      } catch (err) {
        await unlink(dest).catch(() => undefined);
        // a `git gc` removed the pack meanwhile: read it from wherever it is now
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const blob = objects.readBlob(oid);
    await writeFile(dest, blob);
    onBytes?.(blob.length);
    return;
  }
  let headerDone = false;
  const strip = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (headerDone) return done(null, chunk);
      const nul = chunk.indexOf(0);
      if (nul < 0) return done(new GitMlError('CORRUPT_OBJECT', `blob ${oid} has no header`));
      headerDone = true;
      done(null, chunk.subarray(nul + 1));
    },
  });
  await pipeline(createReadStream(path), createInflate(), strip, count(), createWriteStream(dest));
}
