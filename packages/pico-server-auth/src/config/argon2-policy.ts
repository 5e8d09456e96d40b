/**
 * The OWASP Password Storage Cheat Sheet's argon2id table (parallelism 1): each row is an equally
 * strong trade of memory for passes. The one place that says how weak an argon2 setting or hash may be.
 */
export const OWASP_ARGON2ID: readonly { readonly memoryKib: number; readonly timeCost: number }[] = [
  { memoryKib: 47_104, timeCost: 1 },
  { memoryKib: 19_456, timeCost: 2 },
  { memoryKib: 12_288, timeCost: 3 },
  { memoryKib: 9_216, timeCost: 4 },
  { memoryKib: 7_168, timeCost: 5 },
];

/** Whether (m, t) is at least one row of the table: enough memory for at least that row's passes. */
export function meetsOwasp(memoryKib: number, timeCost: number): boolean {
  return OWASP_ARGON2ID.some((row) => memoryKib >= row.memoryKib && timeCost >= row.timeCost);
}

/** The table as one line, for error messages. */
export function owaspRule(): string {
  return OWASP_ARGON2ID.map((row) => `m >= ${row.memoryKib} KiB with t >= ${row.timeCost}`).join(", or ");
}
