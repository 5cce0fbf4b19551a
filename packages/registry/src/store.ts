import { RefConflictError, type GitStore, type Signature } from '@git-ml/gitstore';
import { CorruptRecordError, gitIdentity, osUser, signatureNow } from '@git-ml/tracking';
import {
  applyEvent,
  emptyState,
  formatEventMessage,
  formatModelYaml,
  formatVersionMessage,
  parseEventMessage,
  parseModelYaml,
  parseVersionMessage,
  type ModelState,
  type RegistryEvent,
  type StampedEvent,
  type VersionRecord,
} from './records.js';
import { recordRefOf, tagNameOf, tagRefOf } from './names.js';

const MODEL_FILE = 'model.yaml';
const MAX_RETRIES = 50;

/** The registry's raw storage: model records (commit chains) and version tags, with compare-and-swap writes. */
export class RegistryStore {
  readonly identity: { name: string; email: string };
  readonly user: string;

  constructor(readonly git: GitStore) {
    this.identity = gitIdentity(git.config());
    this.user = osUser();
  }

  signature(ms = Date.now()): Signature {
    return signatureNow(this.identity, ms);
  }

  /** The record commit of a model, or null. */
  recordHead(name: string): string | null {
    return this.git.refs.read(recordRefOf(name));
  }

  readState(ref: string, commit: string): ModelState {
    const c = this.git.objects.readCommit(commit);
    const entry = this.git.objects.readTree(c.tree).find((e) => e.name === MODEL_FILE);
    if (!entry) throw new CorruptRecordError(ref, MODEL_FILE, 'the commit has no model.yaml');
    try {
      return parseModelYaml(this.git.objects.readBlob(entry.oid).toString('utf8'));
    } catch (err) {
      throw new CorruptRecordError(ref, MODEL_FILE, (err as Error).message, { cause: err });
    }
  }

  /** The model's current record, or null when it was never created here. */
  state(name: string): ModelState | null {
    const ref = recordRefOf(name);
    const head = this.git.refs.read(ref);
    return head ? this.readState(ref, head) : null;
  }

  /** Writes one record commit (state + event) with `parents`; returns its oid. */
  writeRecordCommit(state: ModelState, se: StampedEvent | { merge: string; at: number }, parents: string[]): string {
    const blob = this.git.objects.write('blob', Buffer.from(formatModelYaml(state), 'utf8'));
    const tree = this.git.objects.writeTree([{ mode: '100644', name: MODEL_FILE, oid: blob }]);
    const sig = this.signature(se.at);
    // a merge commit carries no event, so replaying history never applies it twice
    const message = 'merge' in se ? `git-ml: ${se.merge}\n` : formatEventMessage(state.name, se);
    return this.git.objects.writeCommit({ tree, parents, author: sig, committer: sig, message });
  }

  /**
   * Applies `make(current)` to a model's record and moves its ref with compare-and-swap, retrying
   * when another process or clone moved it first, so concurrent changes all land. `make` validates
   * against the current state and returns the event (or throws).
   */
  change(name: string, make: (current: ModelState | null) => RegistryEvent, extra?: (tx: { set(ref: string, value: string | null, expect: string | null): void }) => void): ModelState {
    const ref = recordRefOf(name);
    for (let attempt = 0; ; attempt++) {
      const head = this.git.refs.read(ref);
      const current = head ? this.readState(ref, head) : null;
      const event = make(current);
      const at = Math.max(Date.now(), (current?.last_updated_timestamp ?? 0) + 1);
      const se: StampedEvent = { event, at, user: this.user };
      const base = current ?? emptyState(name, at, this.user);
      const next = applyEvent(base, se);
      const commit = this.writeRecordCommit(next, se, head ? [head] : []);
      const updates = [{ ref, expect: head, value: commit as string | null }];
      extra?.({ set: (r, value, expect) => updates.push({ ref: r, value, expect }) });
      try {
        this.git.refs.update(updates);
        return next;
      } catch (err) {
        if (!(err instanceof RefConflictError) || attempt >= MAX_RETRIES) throw err;
      }
    }
  }

  /** Creates the annotated tag object of a version; the ref is set by the caller's transaction. */
  writeVersionTag(v: VersionRecord, commit: string): string {
    return this.git.objects.writeTag({
      object: commit,
      type: 'commit',
      tag: tagNameOf(v.name, v.version),
      tagger: this.signature(v.creation_timestamp),
      message: formatVersionMessage(v),
    });
  }

  /** The version record in a tag object, or null when the tag is not a git-ml model version. */
  readVersionTag(tagOid: string): { record: VersionRecord; commit: string; tagger: Signature } | null {
    const obj = this.git.objects.tryRead(tagOid);
    if (!obj || obj.type !== 'tag') return null;
    const tag = this.git.objects.readTag(tagOid);
    const record = parseVersionMessage(tag.message);
    return record && tag.type === 'commit' ? { record, commit: tag.object, tagger: tag.tagger } : null;
  }

  versionTagOid(name: string, version: number): string | null {
    return this.git.refs.read(tagRefOf(name, version));
  }

  /** Every record commit reachable from `head`, oldest first, with its event. */
  recordLog(head: string): { commit: string; event: StampedEvent | null; parents: string[] }[] {
    const seen = new Set<string>();
    const out: { commit: string; event: StampedEvent | null; parents: string[]; t: number }[] = [];
    const stack = [head];
    while (stack.length) {
      const oid = stack.pop()!;
      if (seen.has(oid)) continue;
      seen.add(oid);
      const c = this.git.objects.tryRead(oid);
      if (!c || c.type !== 'commit') continue;
      const commit = this.git.objects.readCommit(oid);
      out.push({ commit: oid, event: parseEventMessage(commit.message), parents: commit.parents, t: commit.committer.timestamp });
      stack.push(...commit.parents);
    }
    return out.sort((a, b) => (a.event?.at ?? a.t * 1000) - (b.event?.at ?? b.t * 1000) || a.commit.localeCompare(b.commit));
  }
}

export { parseVersionMessage };
