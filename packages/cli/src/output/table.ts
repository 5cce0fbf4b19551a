/** One column of a table printed for people. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** the column may be cut down to this width (cells end in '…') when the table is too wide */
  minWidth?: number;
  /** dropped, rightmost first, before anything is cut when the table is too wide */
  optional?: boolean;
  /** among optional columns, those with a higher rank are dropped first (default 0) */
  dropRank?: number;
}

const GAP = '  ';

/** Cuts `text` to `width` characters, ending in '…' when something was cut. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return `${text.slice(0, width - 1)}…`;
}

/** A cell on one line: line breaks and tabs (multi-line tag values) would break the columns. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '↵').replace(/\t/g, ' ');
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/**
 * Lays rows out in aligned columns that fit in `maxWidth`: optional columns are dropped from the
 * right first, then shrinkable columns are cut, then any line still too long is cut. Returns the
 * lines (header first unless `header: false`), without trailing spaces.
 */
export function formatTable(columns: Column[], rows: string[][], maxWidth: number, options: { header?: boolean } = {}): string[] {
  const showHeader = options.header !== false;
  const cells = rows.map((r) => r.map(oneLine));
  let keep = columns.map((_, i) => i);
  const natural = columns.map((c, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? '').length), showHeader ? c.header.length : 0));
  const total = (idx: number[], widths: number[]) => idx.reduce((s, i) => s + widths[i], 0) + GAP.length * Math.max(0, idx.length - 1);

  while (total(keep, natural) > maxWidth) {
    let lastOptional: number | undefined;
    for (const i of keep) if (columns[i].optional && (lastOptional === undefined || (columns[i].dropRank ?? 0) >= (columns[lastOptional].dropRank ?? 0))) lastOptional = i;
    if (lastOptional === undefined) break;
    keep = keep.filter((i) => i !== lastOptional);
  }

  const widths = [...natural];
  let excess = total(keep, widths) - maxWidth;
  const shrinkable = keep.filter((i) => columns[i].minWidth !== undefined).sort((a, b) => widths[b] - widths[a]);
  for (const i of shrinkable) {
    if (excess <= 0) break;
    const cut = Math.min(excess, widths[i] - Math.min(widths[i], columns[i].minWidth!));
    widths[i] -= cut;
    excess -= cut;
  }

  const line = (row: string[]) => {
    const text = keep.map((i) => pad(truncate(row[i] ?? '', widths[i]), widths[i], columns[i].align ?? 'left')).join(GAP).trimEnd();
    return truncate(text, maxWidth);
  };
  const out = cells.map(line);
  if (showHeader) out.unshift(line(columns.map((c) => c.header)));
  return out;
}

/** The width of the table with every column at its natural width (nothing dropped or cut). */
export function naturalWidth(columns: Column[], rows: string[][], options: { header?: boolean } = {}): number {
  const widths = columns.map((c, i) => rows.reduce((w, r) => Math.max(w, oneLine(r[i] ?? '').length), options.header === false ? 0 : c.header.length));
  return widths.reduce((s, w) => s + w, 0) + GAP.length * Math.max(0, columns.length - 1);
}

/** `key  value` lines, keys aligned, indented; long values are cut to the width. */
export function formatPairs(pairs: [string, string][], maxWidth: number, indent = '  '): string[] {
  const lines = formatTable([{ header: '' }, { header: '', minWidth: 12 }], pairs, maxWidth - indent.length, { header: false });
  return lines.map((l) => indent + l);
}
