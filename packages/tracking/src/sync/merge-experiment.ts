import { encodeCommit, encodeTree, type GitStore } from '@git-ml/gitstore';
import { ExperimentStore, EXPERIMENT_FORMAT } from '../store/experiments.js';
import { formatFlatYaml } from '../store/flat-yaml.js';
import { signatureNow } from '../store/identity.js';
import type { ObjectSink } from '../store/object-sink.js';

/**
 * Merges one experiment created or changed in two clones (same id, since ids come from names):
 * the earliest creation time, the newest name and lifecycle stage, and the union of tags.
 */
export function mergeExperiments(g: GitStore, sink: ObjectSink, ref: string, _base: string | null, ours: string, theirs: string, author: { name: string; email: string }): string {
  const reader = new ExperimentStore(g, author);
  const a = reader.read(ref, ours);
  const b = reader.read(ref, theirs);
  const newer = a.last_update_time >= b.last_update_time ? a : b;
  const older = newer === a ? b : a;
  const tags = new Map(older.tags.map((t) => [t.key, t.value]));
  for (const t of newer.tags) tags.set(t.key, t.value);
  const { tags: _t, ...rest } = newer;
  const yaml = formatFlatYaml({
    format: EXPERIMENT_FORMAT,
    ...rest,
    creation_time: Math.min(a.creation_time, b.creation_time),
    tags: Object.fromEntries(tags),
  });
  const blob = sink.add('blob', Buffer.from(yaml));
  const tree = sink.add('tree', encodeTree([{ mode: '100644', name: 'experiment.yaml', oid: blob }]));
  const sig = signatureNow(author);
  return sink.add('commit', encodeCommit({ tree, parents: [ours, theirs], author: sig, committer: sig, message: `git-ml: merge experiment ${newer.name} from the remote\n` }));
}
