import { encodeCommit, encodeTree, type GitStore } from '@git-ml/gitstore';
import { z } from 'zod';
import { AlreadyExistsError, CorruptRecordError, NotFoundError } from '../errors.js';
import { experimentIdFor } from '../ids.js';
import type { Experiment } from '../model.js';
import { validateExperimentName } from '../validate.js';
import { ObjectSink } from './object-sink.js';
import { formatFlatYaml, parseFlatYaml } from './flat-yaml.js';
import { signatureNow } from './identity.js';
import { DEFAULT_EXPERIMENT_ID, EXPERIMENTS_PREFIX, experimentRef } from './refs-layout.js';

export const EXPERIMENT_FORMAT = 'git-ml/experiment@1';

/** How long after `byName` found no experiment a create of that name still counts as concurrent. */
const CONCURRENT_CREATE_MS = 10_000;

const ExperimentYaml = z.object({
  format: z.literal(EXPERIMENT_FORMAT),
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string(),
  lifecycle_stage: z.enum(['active', 'deleted']),
  creation_time: z.number(),
  last_update_time: z.number(),
  tags: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** Experiments handed out while they have no ref yet (the default one before first use). */
const virtual = new WeakSet<Experiment>();

function defaultExperiment(): Experiment {
  const exp: Experiment = {
    experiment_id: DEFAULT_EXPERIMENT_ID,
    name: 'Default',
    artifact_location: `${EXPERIMENTS_PREFIX}${DEFAULT_EXPERIMENT_ID}`,
    lifecycle_stage: 'active',
    creation_time: 0,
    last_update_time: 0,
    tags: [],
  };
  virtual.add(exp);
  return exp;
}

/**
 * Experiments as refs: `refs/ml/experiments/<id>` → a commit whose tree holds `experiment.yaml`.
 * Every change is a new commit on top of the previous one, so the history is the audit log.
 */
export class ExperimentStore {
  private cache = new Map<string, Experiment>();
  constructor(private git: GitStore, private author: { name: string; email: string }) {}

  read(ref: string, oid: string): Experiment {
    const hit = this.cache.get(oid);
    if (hit) return hit;
    const c = this.git.objects.readCommit(oid);
    const e = this.git.objects.readTree(c.tree).find((x) => x.name === 'experiment.yaml');
    if (!e) throw new CorruptRecordError(ref, 'experiment.yaml', 'the file is missing');
    let doc;
    try {
      doc = ExperimentYaml.parse(parseFlatYaml(this.git.objects.readBlob(e.oid).toString('utf8')));
    } catch (cause) {
      throw new CorruptRecordError(ref, 'experiment.yaml', (cause as Error).message, { cause });
    }
    const { format: _f, tags, ...rest } = doc;
    const exp: Experiment = { ...rest, tags: Object.entries(tags ?? {}).map(([key, value]) => ({ key, value: String(value) })) };
    this.cache.set(oid, exp);
    return exp;
  }

  /** All experiments, the default one included even before anything was written to it. */
  list(): Experiment[] {
    const out = new Map<string, Experiment>();
    for (const [ref, oid] of this.git.refs.list(EXPERIMENTS_PREFIX)) {
      const exp = this.read(ref, oid);
      out.set(exp.experiment_id, exp);
    }
    if (!out.has(DEFAULT_EXPERIMENT_ID)) out.set(DEFAULT_EXPERIMENT_ID, defaultExperiment());
    return [...out.values()];
  }

  get(id: string): Experiment | null {
    const ref = experimentRef(id);
    const oid = this.git.refs.read(ref);
    if (oid) return this.read(ref, oid);
    return id === DEFAULT_EXPERIMENT_ID ? defaultExperiment() : null;
  }

  mustGet(id: string): Experiment {
    const e = this.get(id);
    if (!e) throw new NotFoundError(`No experiment with id '${id}'. List them with \`git-ml experiments list\`.`, { experiment_id: id });
    return e;
  }

  byName(name: string): Experiment | null {
    const found = this.list().find((e) => e.name === name) ?? null;
    if (!found) this.seenAbsent.set(name, Date.now());
    return found;
  }

  /** When `byName` last found no experiment of a name: a create soon after is a get-or-create. */
  private seenAbsent = new Map<string, number>();

  /**
   * Creates an experiment; its id is derived from the name. A name that exists already fails with
   * RESOURCE_ALREADY_EXISTS (as in MLflow) — except when another process created it concurrently:
   * while this call runs, or since `byName` here found no such experiment (within
   * CONCURRENT_CREATE_MS). Then there is one experiment and every creator gets its id, so
   * `getExperimentByName(x) ?? createExperiment(x)` in many processes at once makes one `x`.
   */
  create(
    name: string,
    opts: {
      artifactLocation?: string;
      tags?: Record<string, string>;
      /** for importers only (`git-ml import`): see createImported */
      imported?: Pick<Experiment, 'experiment_id' | 'creation_time' | 'last_update_time' | 'lifecycle_stage'>;
    } = {},
  ): string {
    validateExperimentName(name);
    if (opts.imported) return this.createImported(name, opts.imported, opts.tags ?? {});
    const lookedAt = this.seenAbsent.get(name);
    this.seenAbsent.delete(name);
    const existing = this.byName(name);
    this.seenAbsent.delete(name);
    if (existing) {
      const concurrent = lookedAt !== undefined && Date.now() - lookedAt < CONCURRENT_CREATE_MS && existing.lifecycle_stage === 'active';
      if (concurrent) return existing.experiment_id;
      throw new AlreadyExistsError(
        `Experiment '${name}' already exists${existing.lifecycle_stage === 'deleted' ? ' (deleted; restore it with `git-ml experiments restore`)' : ''}.`,
        { name },
      );
    }
    for (let attempt = 0; ; attempt++) {
      const id = experimentIdFor(name, attempt);
      const ref = experimentRef(id);
      const taken = this.git.refs.read(ref);
      if (taken) {
        // created by another process since byName() above: the same experiment, not a second one
        if (this.read(ref, taken).name === name) return id;
        continue; // held by an experiment renamed away from this name
      }
      const now = Date.now();
      const exp: Experiment = {
        experiment_id: id,
        name,
        artifact_location: opts.artifactLocation ?? `refs/ml/runs/${id}`,
        lifecycle_stage: 'active',
        creation_time: now,
        last_update_time: now,
        tags: Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value })),
      };
      try {
        this.write(exp, null, `git-ml: create experiment ${name}`);
        return id;
      } catch (err) {
        if ((err as { code?: string }).code !== 'REF_CONFLICT') throw err;
        const winner = this.git.refs.read(ref);
        if (winner && this.read(ref, winner).name === name) return id;
        attempt--; // look at the same id again: it is held by another name, or was deleted meanwhile
      }
    }
  }

  /**
   * Creates an experiment recorded by another tracking store under ITS id, times and stage, so ids
   * in URIs from that store keep working (`git-ml import`). The name must be new here (or be the
   * default experiment while it is still virtual) and the id free; else RESOURCE_ALREADY_EXISTS.
   */
  private createImported(name: string, imported: Pick<Experiment, 'experiment_id' | 'creation_time' | 'last_update_time' | 'lifecycle_stage'>, tags: Record<string, string>): string {
    const id = imported.experiment_id;
    const ref = experimentRef(id);
    const existing = this.byName(name);
    this.seenAbsent.delete(name);
    const virtualDefault = existing?.experiment_id === DEFAULT_EXPERIMENT_ID && id === DEFAULT_EXPERIMENT_ID && !this.git.refs.read(ref);
    if (existing && !virtualDefault) throw new AlreadyExistsError(`Experiment '${name}' already exists here (id ${existing.experiment_id}).`, { name });
    if (this.git.refs.read(ref)) throw new AlreadyExistsError(`Experiment id '${id}' is already taken here by another experiment.`, { experiment_id: id, name });
    const exp: Experiment = {
      experiment_id: id,
      name,
      artifact_location: `refs/ml/runs/${id}`,
      lifecycle_stage: imported.lifecycle_stage,
      creation_time: imported.creation_time,
      last_update_time: imported.last_update_time,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    };
    this.write(exp, null, `git-ml: import experiment ${name}`);
    return id;
  }

  /**
   * Ensures the experiment has a ref (the default one is virtual until first used). `known`: the
   * experiment as the caller just read it with `get`; when it came from its ref, nothing is read again.
   */
  ensure(id: string, known?: Experiment): Experiment {
    if (known && known.experiment_id === id && !virtual.has(known)) return known;
    const exp = this.mustGet(id);
    if (!this.git.refs.read(experimentRef(id))) {
      try {
        this.write(exp, null, `git-ml: create experiment ${exp.name}`);
      } catch {
        // another process created it first; that is what we wanted
      }
    }
    return exp;
  }

  update(id: string, change: (e: Experiment) => Experiment, what: string): Experiment {
    for (let tries = 0; ; tries++) {
      const ref = experimentRef(id);
      const oid = this.git.refs.read(ref);
      const current = oid ? this.read(ref, oid) : this.mustGet(id);
      const next = { ...change(structuredClone(current)), last_update_time: Date.now() };
      try {
        this.write(next, oid, `git-ml: ${what}`);
        return next;
      } catch (err) {
        if ((err as { code?: string }).code !== 'REF_CONFLICT' || tries > 20) throw err;
      }
    }
  }

  private write(exp: Experiment, parent: string | null, message: string): void {
    const { tags, ...rest } = exp;
    const yaml = formatFlatYaml({ format: EXPERIMENT_FORMAT, ...rest, tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) });
    // through an ObjectSink: a kept pack, checked again once the ref moved (safe beside git gc --prune=now)
    const sink = new ObjectSink(this.git);
    const blob = sink.add('blob', Buffer.from(yaml));
    const tree = sink.add('tree', encodeTree([{ mode: '100644', name: 'experiment.yaml', oid: blob }]));
    const sig = signatureNow(this.author);
    const commit = sink.add('commit', encodeCommit({ tree, parents: parent ? [parent] : [], author: sig, committer: sig, message }));
    try {
      sink.flush();
      this.git.refs.update([{ ref: experimentRef(exp.experiment_id), expect: parent, value: commit }]);
      sink.settle();
    } finally {
      sink.discard();
    }
  }
}
