import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from 'yaml';

/** A YAML node found by a JSON-pointer-like path, with the node of its key when it sits in a map. */
export interface Located {
  key: Node | null;
  value: Node | null;
}

/** Walks `path` (map keys compared as text, sequence indexes as numbers) from the document root. */
export function locate(doc: Document, path: string[]): Located {
  let here: Located = { key: null, value: doc.contents as Node | null };
  for (const seg of path) {
    const node = here.value;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return here;
      here = { key: pair.key as Node, value: (pair.value as Node | null) ?? null };
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (item === undefined) return here;
      here = { key: null, value: item };
    } else return here;
  }
  return here;
}

/** 1-based line of a node's start (its key's, when `preferKey`), or 1 for an empty document. */
export function lineOf(lines: LineCounter, at: Located, preferKey = false): number {
  const node = (preferKey ? at.key ?? at.value : at.value ?? at.key) as Node | null;
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : lines.linePos(offset).line;
}

/**
 * The text of a scalar as written: plain scalars keep their spelling (`1e-1`, `.5`, `yes`), as
 * MLflow passes defaults through untouched; quoted and block scalars give their value.
 */
export function scalarText(node: Node | null, source: string): string | null {
  if (!isScalar(node) || node.value === null) return null;
  if (node.type === Scalar.PLAIN && node.range) return source.slice(node.range[0], node.range[1]);
  return String(node.value);
}
