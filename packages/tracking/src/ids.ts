import { createHash, randomBytes } from 'node:crypto';

/** Random bytes drawn from a pool refilled 4 KiB at a time (a `randomBytes` call per run id costs ~20 µs). */
let pool = Buffer.alloc(0);
let poolAt = 0;
function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/** A run id in MLflow's shape (32 lowercase hex), time-ordered: 48 bits of milliseconds, then 80 random bits. */
export function newRunId(now = Date.now()): string {
  return now.toString(16).padStart(12, '0').slice(-12) + random(10).toString('hex');
}

/**
 * Experiment ids come from the name, so two clones that each create experiment "churn" get the
 * same id and their runs meet in one experiment after a sync. `attempt` > 0 picks another id when
 * the natural one is held by an experiment that was renamed away from this name.
 */
export function experimentIdFor(name: string, attempt = 0): string {
  const h = createHash('sha1').update(attempt ? `${name}\0${attempt}` : name).digest('hex');
  return BigInt(`0x${h.slice(0, 15)}`).toString();
}

const ADJECTIVES = ['amber', 'bold', 'brave', 'calm', 'clever', 'crisp', 'eager', 'fair', 'gentle', 'glad', 'keen', 'lucid', 'merry', 'nimble', 'proud', 'quick', 'quiet', 'rare', 'sharp', 'silent', 'steady', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'witty'];
const NOUNS = ['ant', 'bass', 'bear', 'cat', 'crane', 'deer', 'doe', 'eel', 'finch', 'fox', 'goat', 'hawk', 'hen', 'jay', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'perch', 'ram', 'seal', 'shrew', 'slug', 'snail', 'stork', 'trout', 'wasp', 'wren'];

/** A run name like MLflow's generated ones: adjective-noun-number. */
export function newRunName(): string {
  const b = random(4);
  return `${ADJECTIVES[b[0] % ADJECTIVES.length]}-${NOUNS[b[1] % NOUNS.length]}-${b.readUInt16BE(2) % 1000}`;
}
