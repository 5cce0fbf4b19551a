import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadSourceError } from '../errors.js';
import type { SourceModel, SourceVersion } from '../source.js';
import { META, RUN_DIRS } from './layout.js';
import { readKeyFiles, readMeta } from './read-tracking.js';

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const time = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fallback);

/** Folders of `<root>/models/`: one per registered model. */
export function modelDirs(modelsRoot: string): string[] {
  if (!existsSync(modelsRoot)) return [];
  return readdirSync(modelsRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => join(modelsRoot, e.name))
    .sort();
}

/** A registered model folder: meta.yaml, tags/, aliases/, version-<n>/ (each with meta.yaml and tags/). */
export function readModel(dir: string): SourceModel {
  const doc = readMeta(dir);
  const name = str(doc.name);
  if (!name) throw new BadSourceError(join(dir, META), "field 'name' is missing");
  const aliases: Record<string, string> = {};
  if (doc.aliases && typeof doc.aliases === 'object' && !Array.isArray(doc.aliases)) {
    for (const [a, v] of Object.entries(doc.aliases)) aliases[a] = str(v);
  }
  const aliasDir = join(dir, 'aliases');
  if (existsSync(aliasDir)) for (const a of readdirSync(aliasDir)) aliases[a] = readFileSync(join(aliasDir, a), 'utf8').trim();
  const versions: SourceVersion[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const m = /^version-(\d+)$/.exec(e.name);
    if (!e.isDirectory() || !m) continue;
    const vdir = join(dir, e.name);
    const v = readMeta(vdir);
    const stage = str(v.current_stage) || 'None';
    const created = time(v.creation_timestamp, 0);
    versions.push({
      where: vdir,
      version: Number(m[1]),
      run_id: str(v.run_id) || null,
      source: str(v.source),
      description: str(v.description),
      tags: Object.fromEntries(readKeyFiles(join(vdir, RUN_DIRS.tags))),
      current_stage: stage,
      user_id: str(v.user_id),
      creation_timestamp: created,
      last_updated_timestamp: time(v.last_updated_timestamp, created),
      deleted: stage === 'Deleted_Internal',
    });
  }
  versions.sort((a, b) => a.version - b.version);
  const created = time(doc.creation_timestamp, 0);
  return {
    where: dir,
    name,
    description: str(doc.description),
    creation_timestamp: created,
    last_updated_timestamp: time(doc.last_updated_timestamp, created),
    tags: Object.fromEntries(readKeyFiles(join(dir, RUN_DIRS.tags))),
    aliases,
    versions,
  };
}
