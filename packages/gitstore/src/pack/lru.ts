import type { GitObject } from './hash.js';

/** Per-entry bookkeeping cost, so thousands of tiny bases still count against the budget. */
const OVERHEAD = 64;

/**
 * Byte-bounded LRU of resolved delta bases, keyed by pack and offset. Without
 * it, reading every object of a repo with 50-deep delta chains is quadratic.
 */
export class BaseCache {
  private readonly map = new Map<string, GitObject>();
  private bytes = 0;
  constructor(private readonly limit: number) {}

  get(key: string): GitObject | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: GitObject): void {
    const cost = value.data.length + OVERHEAD;
    if (cost > this.limit / 4 || this.map.has(key)) return;
    this.map.set(key, value);
    this.bytes += cost;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.limit) break;
      this.map.delete(k);
      this.bytes -= v.data.length + OVERHEAD;
    }
  }
}
