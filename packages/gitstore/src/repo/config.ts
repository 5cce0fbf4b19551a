import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Values of git's config files, read the way git reads them (system, global, repository; last wins). */
export interface GitConfig {
  /** the last value of `section[.subsection].key` (case-insensitive section and key), or undefined */
  get(name: string): string | undefined;
  /** every value of a multi-valued key, in file order */
  getAll(name: string): string[];
}

function unquote(raw: string): string {
  // drop a trailing comment outside quotes, then git's quoting and escapes
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'b' ? '\b' : n;
    } else if ((c === '#' || c === ';') && !quoted) break;
    else out += c;
  }
  return out.trim();
}

function parseInto(text: string, into: Map<string, string[]>): void {
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const sec = /^\[\s*([\w.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
    if (sec) {
      section = sec[1].toLowerCase() + (sec[2] !== undefined ? `.${sec[2].replace(/\\(.)/g, '$1')}` : '');
      if (!sec[3]) continue;
    }
    const body = sec ? sec[3] : line;
    const kv = /^([A-Za-z][\w-]*)\s*(?:=\s*(.*))?$/.exec(body);
    if (!kv || !section) continue;
    const name = `${section}.${kv[1].toLowerCase()}`;
    const value = kv[2] === undefined ? 'true' : unquote(kv[2]);
    let list = into.get(name);
    if (!list) into.set(name, (list = []));
    list.push(value);
  }
}

function normalize(name: string): string {
  const first = name.indexOf('.');
  const last = name.lastIndexOf('.');
  if (first < 0) return name.toLowerCase();
  // section and key are case-insensitive; a subsection (between them) is not
  return first === last ? name.toLowerCase() : `${name.slice(0, first).toLowerCase()}${name.slice(first, last)}${name.slice(last).toLowerCase()}`;
}

/**
 * Reads git's configuration for the repository at `commonDir`: the system file (unless
 * GIT_CONFIG_NOSYSTEM), the global files (GIT_CONFIG_GLOBAL, else ~/.gitconfig and
 * $XDG_CONFIG_HOME/git/config), then the repository's `config`. `include` directives are not followed.
 */
export function readGitConfig(commonDir: string): GitConfig {
  const files: string[] = [];
  if (!process.env.GIT_CONFIG_NOSYSTEM) files.push(process.env.GIT_CONFIG_SYSTEM ?? '/etc/gitconfig');
  if (process.env.GIT_CONFIG_GLOBAL !== undefined) files.push(process.env.GIT_CONFIG_GLOBAL);
  else files.push(join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'git', 'config'), join(homedir(), '.gitconfig'));
  files.push(join(commonDir, 'config'));
  const values = new Map<string, string[]>();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    parseInto(text, values);
  }
  return {
    get: (name) => values.get(normalize(name))?.at(-1),
    getAll: (name) => [...(values.get(normalize(name)) ?? [])],
  };
}
