/**
 * The sequence number a cursor of this feed stands for, or undefined for a cursor this feed never
 * handed out (not a whole number, or past its last entry: another store's): the caller reads in full.
 * Sequence numbers are never reused, so a cursor older than pruned entries is still exact.
 */
export function parseCursor(cursor: string | undefined, lastSeq: number): number | undefined {
  if (cursor === undefined || !/^(0|[1-9]\d{0,15})$/.test(cursor)) return undefined;
  const seq = Number(cursor);
  return seq <= lastSeq ? seq : undefined;
}
