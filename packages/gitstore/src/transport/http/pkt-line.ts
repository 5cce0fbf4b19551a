/*
 * git's pkt-line framing (gitprotocol-common): four hex digits of length (including themselves),
 * then the payload; "0000" is a flush. Used for the bodies of the two smart-HTTP POSTs, whose
 * framing isomorphic-git does not export.
 */

export const FLUSH = Buffer.from('0000');

export function pkt(line: string | Buffer): Buffer {
  const payload = typeof line === 'string' ? Buffer.from(line) : line;
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0')), payload]);
}

/** Splits a body into its packets; a flush is `null`. Stops at the end or at bytes that are not a packet. */
export function* readPkts(body: Buffer): Generator<Buffer | null> {
  let at = 0;
  while (at + 4 <= body.length) {
    const len = parseInt(body.toString('latin1', at, at + 4), 16);
    if (Number.isNaN(len)) return;
    if (len === 0) {
      yield null;
      at += 4;
      continue;
    }
    if (len < 4 || at + len > body.length) return;
    yield body.subarray(at + 4, at + len);
    at += len;
  }
}

/**
 * Demultiplexes a side-band-64k stream starting at the first packet that carries a band byte:
 * band 1 is data, band 2 progress (dropped: we are quiet, as `git fetch --quiet`), band 3 a fatal
 * error from the server, returned as `error`.
 */
export function sideBand(pkts: Iterable<Buffer | null>): { data: Buffer; error: string | null } {
  const data: Buffer[] = [];
  for (const p of pkts) {
    if (p === null || p.length === 0) continue;
    if (p[0] === 1) data.push(p.subarray(1));
    else if (p[0] === 3) return { data: Buffer.concat(data), error: p.subarray(1).toString('utf8').trim() };
  }
  return { data: Buffer.concat(data), error: null };
}
