import type { ObjectStore } from '../objects/object-store.js';

/*
 * Commit-graph walks over gitstore's own object reader, for when there is no git binary to ask
 * (`git merge-base`, and the object list `git push` computes). Synchronous, like the rest of gitstore.
 */

/** True when commit `a` is `b` or one of its ancestors (`git merge-base --is-ancestor a b`). */
export function walkIsAncestor(objects: ObjectStore, a: string, b: string): boolean {
  if (a === b) return true;
  const seen = new Set<string>([b]);
  const stack = [b];
  while (stack.length > 0) {
    for (const p of objects.readCommit(stack.pop()!).parents) {
      if (p === a) return true;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return false;
}

function ancestors(objects: ObjectStore, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const p of objects.readCommit(stack.pop()!).parents) {
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return seen;
}

/** A best common ancestor of two commits (`git merge-base a b`), or null when they share none. */
export function walkMergeBase(objects: ObjectStore, a: string, b: string): string | null {
  const ofA = ancestors(objects, a);
  // the common ancestors nearest to b: stop descending at the first common commit of each path
  const candidates = new Set<string>();
  const seen = new Set<string>([b]);
  const stack = [b];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (ofA.has(c)) {
      candidates.add(c);
      continue;
    }
    for (const p of objects.readCommit(c).parents) {
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  // best: not an ancestor of another candidate; of several, the newest (as git prints one)
  const best = [...candidates].filter((c) => ![...candidates].some((o) => o !== c && walkIsAncestor(objects, c, o)));
  best.sort((x, y) => objects.readCommit(y).committer.timestamp - objects.readCommit(x).committer.timestamp);
  return best[0] ?? null;
}

const WANT = 1;
const HAVE = 2;

/**
 * The objects a remote that holds `haves` (and everything they reach) lacks to have `wants` too,
 * as `git rev-list --objects wants --not haves` finds them: commits are walked newest first and the
 * walk ends once only commits the remote has are left; trees of the commits at that edge are
 * subtracted. Clock skew can only make the list longer (objects the remote already has), never
 * shorter. `wants` may be commits or annotated tags; `haves` must exist here.
 */
export function objectsToSend(objects: ObjectStore, wants: string[], haves: string[]): string[] {
  const out: string[] = [];
  const looseTrees: string[] = [];
  const wantCommits: string[] = [];
  for (let oid of wants) {
    // peel annotated tags (each one is sent), down to what they point at
    for (;;) {
      const type = objects.header(oid).type;
      if (type === 'tag') {
        out.push(oid);
        oid = objects.readTag(oid).object;
      } else {
        if (type === 'commit') wantCommits.push(oid);
        else looseTrees.push(oid);
        break;
      }
    }
  }
  const flags = new Map<string, number>();
  const time = new Map<string, number>();
  const queue: string[] = [];
  const enqueue = (oid: string, flag: number) => {
    const old = flags.get(oid) ?? 0;
    if ((old | flag) === old) return;
    flags.set(oid, old | flag);
    if (!time.has(oid)) time.set(oid, objects.readCommit(oid).committer.timestamp);
    queue.push(oid);
  };
  for (const h of haves) if (objects.header(h).type === 'commit') enqueue(h, HAVE);
  for (const w of wantCommits) enqueue(w, WANT);
  const popped = new Set<string>();
  while (queue.some((c) => !(flags.get(c)! & HAVE))) {
    // newest first (a linear scan: the frontier of a walk is short)
    let i = 0;
    for (let j = 1; j < queue.length; j++) if (time.get(queue[j])! > time.get(queue[i])!) i = j;
    const c = queue.splice(i, 1)[0];
    popped.add(c);
    const flag = flags.get(c)! & HAVE ? HAVE : WANT;
    for (const p of objects.readCommit(c).parents) enqueue(p, flag);
  }
  const send = [...popped].filter((c) => flags.get(c) === WANT);
  // trees the remote has: those of the commits at the edge of what it lacks
  const skip = new Set<string>();
  const edge = new Set<string>();
  for (const c of send) for (const p of objects.readCommit(c).parents) if (flags.get(p)! & HAVE) edge.add(p);
  for (const c of edge) walkTree(objects, objects.readCommit(c).tree, skip, () => undefined);
  const seen = new Set<string>(skip);
  for (const c of send) {
    out.push(c);
    walkTree(objects, objects.readCommit(c).tree, seen, (oid) => out.push(oid));
  }
  for (const t of looseTrees) {
    if (objects.header(t).type === 'tree') walkTree(objects, t, seen, (oid) => out.push(oid));
    else if (!seen.has(t)) (seen.add(t), out.push(t));
  }
  return out;
}

/** Visits a tree and everything under it not yet in `seen` (submodule commits are not ours to send). */
function walkTree(objects: ObjectStore, tree: string, seen: Set<string>, visit: (oid: string) => void): void {
  if (seen.has(tree)) return;
  seen.add(tree);
  visit(tree);
  const stack = [tree];
  while (stack.length > 0) {
    for (const e of objects.readTree(stack.pop()!)) {
      if (e.mode === '160000' || seen.has(e.oid)) continue;
      seen.add(e.oid);
      visit(e.oid);
      if (e.mode === '40000') stack.push(e.oid);
    }
  }
}
