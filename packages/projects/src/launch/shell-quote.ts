/**
 * Quotes a value for a POSIX shell the way Python's `shlex.quote` (and so MLflow) does: safe words
 * stay as they are, anything else is single-quoted, so no value can run shell code.
 *
 * ```ts
 * shellQuote("it's; rm -rf /"); // 'it'"'"'s; rm -rf /'
 * ```
 */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}
