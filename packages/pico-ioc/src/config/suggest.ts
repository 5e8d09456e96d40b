/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate nearest to `input`, if it is close enough to be a typo: within
 * max(2, floor(input.length / 3)) edits, so short names still tolerate a slip or two while long
 * names are not matched to something unrelated. Ties go to the alphabetically first candidate.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(input.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of [...new Set(candidates)].sort()) {
    const distance = levenshtein(input, name);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * The tail of an "unknown ..." message: a suggestion when one is close, else the valid names.
 * `show` renders a candidate as the user should write it (e.g. a key as its full env var name).
 */
export function suggestion(input: string, candidates: Iterable<string>, show: (name: string) => string = (n) => n): string {
  const names = [...new Set(candidates)].sort();
  const best = closest(input, names);
  if (best !== undefined) return `did you mean "${show(best)}"?`;
  if (names.length === 0) return "nothing is declared here";
  return `expected one of ${names.map((n) => `"${show(n)}"`).join(", ")}`;
}
