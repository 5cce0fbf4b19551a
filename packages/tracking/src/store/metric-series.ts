import type { TreeEntry } from '@git-ml/gitstore';
import { decodeTree, encodeTree } from '@git-ml/gitstore';
import type { Metric } from '../model.js';
import { formatMetricLine, formatMetricValue, isNewer, parseMetricValue } from './metric-lines.js';
import type { ObjectSink } from './object-sink.js';

/** Points per chunk file of a metric's history (`metrics/<key>/<first-seq>`); only the last chunk is ever rewritten. */
export const CHUNK_POINTS = 1000;
const CHUNK_NAME_DIGITS = 9;

/**
 * One metric of a run: where its committed history lives, the lines logged since, and a summary
 * (latest point, count, min, max) that is kept in `metrics.yaml`, so reading "latest" never parses
 * the history.
 */
export interface MetricSeries {
  /** committed history: a run-format-2 chunk directory (tree) or a format-1 file (blob) */
  committed: { oid: string; kind: 'tree' | 'blob' } | null;
  /** history lines (`<ts> <value> <step>\n`) not yet written into objects, and how many */
  appended: string;
  pending: number;
  latest: Metric | undefined;
  count: number;
  /** smallest and largest value logged, NaN ignored; null when every value was NaN */
  min: number | null;
  max: number | null;
}

export function emptySeries(): MetricSeries {
  return { committed: null, appended: '', pending: 0, latest: undefined, count: 0, min: null, max: null };
}

/** Adds one point to the series' summary and pending lines. */
export function addPoint(m: MetricSeries, point: Metric): void {
  m.appended += formatMetricLine(point);
  m.pending++;
  m.count++;
  if (!m.latest || isNewer(point, m.latest)) m.latest = point;
  const v = point.value;
  if (!Number.isNaN(v)) {
    if (m.min === null || v < m.min) m.min = v;
    if (m.max === null || v > m.max) m.max = v;
  }
}

/** A summary computed from a whole history (format-1 records, merges). */
export function seriesFromPoints(points: Metric[], committed: MetricSeries['committed']): MetricSeries {
  const m = emptySeries();
  for (const p of points) addPoint(m, p);
  m.committed = committed;
  if (committed) {
    m.appended = '';
    m.pending = 0;
  }
  return m;
}

function chunkName(seq: number): string {
  return String(seq).padStart(CHUNK_NAME_DIGITS, '0');
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Chunk entries of a format-2 metric directory, in history order. */
export function chunkEntries(data: Buffer, oid: string): TreeEntry[] {
  return decodeTree(data, oid)
    .filter((e) => e.mode === '100644' || e.mode === '100755')
    .sort((a, b) => Number(a.name) - Number(b.name) || (a.name < b.name ? -1 : 1));
}

/** The whole committed history as text, whatever the format. */
export function committedText(read: (oid: string) => Buffer, committed: MetricSeries['committed']): string {
  if (!committed) return '';
  if (committed.kind === 'blob') return read(committed.oid).toString('utf8');
  let text = '';
  for (const e of chunkEntries(read(committed.oid), committed.oid)) text += read(e.oid).toString('utf8');
  return text;
}

interface Chunk {
  seq: number;
  size: number;
  oid?: string;
  text?: string;
}

/** Splits history text into chunks of at most CHUNK_POINTS lines, numbered from `seq`. */
function splitChunks(text: string, seq: number): Chunk[] {
  const out: Chunk[] = [];
  let pos = 0;
  while (pos < text.length) {
    let end = pos;
    let lines = 0;
    while (lines < CHUNK_POINTS && end < text.length) {
      const nl = text.indexOf('\n', end);
      end = nl < 0 ? text.length : nl + 1;
      lines++;
    }
    out.push({ seq, size: lines, text: text.slice(pos, end) });
    seq += lines;
    pos = end;
  }
  return out;
}

/**
 * Writes the series' pending lines and returns the oid of its chunk directory.
 *
 * Chunks hold at most CHUNK_POINTS points; a chunk that is full is never written again. Each fold
 * writes its new points as a new chunk, taking along the trailing chunks that are not full and not
 * bigger than what it carries (a binary counter), so a point is rewritten O(log CHUNK_POINTS) times
 * at most and only a few chunks are open — a fold costs what it adds, whatever the history's
 * length. A format-1 history is converted (once).
 */
export function writeSeries(sink: ObjectSink, m: MetricSeries): string {
  if (m.committed?.kind === 'tree' && !m.appended) return m.committed.oid;
  const read = (oid: string) => sink.read(oid).data.toString('utf8');
  let chunks: Chunk[] = [];
  let next = 0;
  if (m.committed?.kind === 'blob') {
    chunks = splitChunks(read(m.committed.oid), 0);
    next = chunks.reduce((n, c) => n + c.size, 0);
  } else if (m.committed?.kind === 'tree') {
    const entries = chunkEntries(sink.read(m.committed.oid).data, m.committed.oid);
    const committedCount = m.count - m.pending;
    chunks = entries.map((e, i) => ({ seq: Number(e.name), size: i + 1 < entries.length ? Number(entries[i + 1].name) - Number(e.name) : committedCount - Number(e.name), oid: e.oid }));
    const last = chunks[chunks.length - 1];
    if (last && !(last.size > 0 && last.size <= CHUNK_POINTS)) {
      // the summary disagrees with the chunk names (a hand edit): count the last chunk's lines
      last.text = read(last.oid!);
      last.size = countLines(last.text);
    }
    next = last ? last.seq + last.size : 0;
  }
  // the new points take along trailing open chunks that are not bigger than what they carry
  let text = m.appended;
  let seq = next;
  let size = m.pending;
  for (let last = chunks[chunks.length - 1]; last && last.size < CHUNK_POINTS && last.size <= size; last = chunks[chunks.length - 1]) {
    text = (last.text ?? read(last.oid!)) + text;
    seq = last.seq;
    size += last.size;
    chunks.pop();
  }
  for (const c of splitChunks(text, seq)) chunks.push(c);
  const entries: TreeEntry[] = chunks.map((c) => {
    if (c.text === undefined) return { mode: '100644', name: chunkName(c.seq), oid: c.oid! };
    const data = Buffer.from(c.text, 'utf8');
    const oid = sink.add('blob', data);
    // a full chunk is final: its parsed points go to the column cache, so a new process reads them as numbers
    if (c.size === CHUNK_POINTS) sink.fullChunk(oid, data.length, c.text);
    return { mode: '100644', name: chunkName(c.seq), oid };
  });
  const oid = sink.add('tree', encodeTree(entries));
  m.committed = { oid, kind: 'tree' };
  m.appended = '';
  m.pending = 0;
  return oid;
}

// ---- metrics.yaml: one line per metric, `key: {"value": …, "step": …, …}` (a YAML flow mapping in JSON form)

const SAFE_KEY = /^[A-Za-z_][\w./-]*$/;

function yamlKey(k: string): string {
  return SAFE_KEY.test(k) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(k) ? k : JSON.stringify(k);
}

function jsonNumber(v: number | null): number | string | null {
  if (v === null) return null;
  return Number.isFinite(v) ? v : formatMetricValue(v);
}

function fromJsonNumber(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = parseMetricValue(v);
    if (!Number.isNaN(n) || v.toLowerCase() === 'nan') return n;
  }
  throw new Error(`${what} is not a number: ${JSON.stringify(v)}`);
}

export interface MetricSummary {
  key: string;
  latest: Metric | undefined;
  count: number;
  min: number | null;
  max: number | null;
}

export function formatMetricsYaml(metrics: Iterable<[string, MetricSeries]>): string {
  let out = '';
  for (const [key, m] of [...metrics].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const l = m.latest;
    const doc = { value: l ? jsonNumber(l.value) : null, step: l?.step ?? null, timestamp: l?.timestamp ?? null, count: m.count, min: jsonNumber(m.min), max: jsonNumber(m.max) };
    out += `${yamlKey(key)}: ${JSON.stringify(doc)}\n`;
  }
  return out === '' ? '{}\n' : out;
}

const SUMMARY_LINE = /^("(?:[^"\\]|\\.)*"|[^\s":#][^:]*?): (\{.*\})$/;

/** Parses `metrics.yaml`; throws with the line number on anything it did not write. */
export function parseMetricsYaml(text: string): MetricSummary[] {
  const out: MetricSummary[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || line === '{}') continue;
    const m = SUMMARY_LINE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: expected \`key: {"value": …, "step": …, "timestamp": …, "count": …}\``);
    const key = m[1][0] === '"' ? (JSON.parse(m[1]) as string) : m[1];
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(m[2]) as Record<string, unknown>;
    } catch {
      throw new Error(`line ${i + 1}: the summary of '${key}' is not a JSON mapping`);
    }
    const count = doc.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error(`line ${i + 1}: 'count' of '${key}' must be a whole number`);
    const value = fromJsonNumber(doc.value, `line ${i + 1}: 'value' of '${key}'`);
    const step = doc.step;
    const timestamp = doc.timestamp;
    const latest = value === null ? undefined : { key, value, step: Number(step ?? 0), timestamp: Number(timestamp ?? 0) };
    if (latest && (!Number.isFinite(latest.step) || !Number.isFinite(latest.timestamp))) throw new Error(`line ${i + 1}: 'step' and 'timestamp' of '${key}' must be numbers`);
    out.push({ key, latest, count, min: fromJsonNumber(doc.min, `line ${i + 1}: 'min'`), max: fromJsonNumber(doc.max, `line ${i + 1}: 'max'`) });
  }
  return out;
}
