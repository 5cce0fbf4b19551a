import { CorruptObjectError } from '../errors.js';

/** Who and when, as git stores it on commits and tags. */
export interface Signature {
  name: string;
  email: string;
  /** seconds since the epoch */
  timestamp: number;
  /** minutes east of UTC, e.g. 60 for +0100 */
  timezoneOffset: number;
}

export interface Commit {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export interface Tag {
  object: string;
  type: 'commit' | 'tree' | 'blob' | 'tag';
  tag: string;
  tagger: Signature;
  message: string;
}

function clean(s: string): string {
  return s.replace(/[<>\n]/g, '').trim() || 'unknown';
}

export function formatSignature(s: Signature): string {
  const sign = s.timezoneOffset < 0 ? '-' : '+';
  const abs = Math.abs(s.timezoneOffset);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${clean(s.name)} <${s.email.replace(/[<>\n]/g, '')}> ${Math.floor(s.timestamp)} ${tz}`;
}

export function parseSignature(line: string): Signature {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-])(\d\d)(\d\d)$/.exec(line);
  if (!m) throw new CorruptObjectError('signature', JSON.stringify(line));
  const off = Number(m[5]) * 60 + Number(m[6]);
  return { name: m[1], email: m[2], timestamp: Number(m[3]), timezoneOffset: m[4] === '-' ? -off : off };
}

function withNewline(message: string): string {
  return message.endsWith('\n') ? message : `${message}\n`;
}

export function encodeCommit(c: Commit): Buffer {
  let head = `tree ${c.tree}\n`;
  for (const p of c.parents) head += `parent ${p}\n`;
  head += `author ${formatSignature(c.author)}\ncommitter ${formatSignature(c.committer)}\n`;
  return Buffer.from(`${head}\n${withNewline(c.message)}`, 'utf8');
}

function splitHeaders(text: string, what: string): { headers: [string, string][]; message: string } {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) {
      if (headers.length === 0) throw new CorruptObjectError(what, 'continuation line without header');
      headers[headers.length - 1][1] += `\n${line.slice(1)}`;
      continue;
    }
    const sp = line.indexOf(' ');
    headers.push([line.slice(0, sp), line.slice(sp + 1)]);
  }
  return { headers, message: end < 0 ? '' : text.slice(end + 2) };
}

export function decodeCommit(data: Buffer, oid = 'commit'): Commit {
  const { headers, message } = splitHeaders(data.toString('utf8'), `commit ${oid}`);
  const get = (k: string) => headers.find((h) => h[0] === k)?.[1];
  const tree = get('tree');
  const author = get('author');
  const committer = get('committer');
  if (!tree || !author || !committer) throw new CorruptObjectError(`commit ${oid}`, 'missing tree/author/committer');
  return {
    tree,
    parents: headers.filter((h) => h[0] === 'parent').map((h) => h[1]),
    author: parseSignature(author),
    committer: parseSignature(committer),
    message,
  };
}

export function encodeTag(t: Tag): Buffer {
  return Buffer.from(
    `object ${t.object}\ntype ${t.type}\ntag ${t.tag}\ntagger ${formatSignature(t.tagger)}\n\n${withNewline(t.message)}`,
    'utf8',
  );
}

export function decodeTag(data: Buffer, oid = 'tag'): Tag {
  const { headers, message } = splitHeaders(data.toString('utf8'), `tag ${oid}`);
  const get = (k: string) => headers.find((h) => h[0] === k)?.[1];
  const object = get('object');
  const type = get('type');
  const tag = get('tag');
  const tagger = get('tagger');
  if (!object || !type || !tag || !tagger) throw new CorruptObjectError(`tag ${oid}`, 'missing object/type/tag/tagger');
  return { object, type: type as Tag['type'], tag, tagger: parseSignature(tagger), message };
}
