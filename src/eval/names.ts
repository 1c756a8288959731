/**
 * Lenient attribute-name matching for open IE and schema metrics: names match when they agree
 * after ignoring case, spacing, `_`/`-`, a "(s)" suffix and an English plural ("s"/"es"), so a
 * model's `Release Dates` matches the gold `release_date`.
 */

/** The name reduced to lowercase letters and digits, without a trailing "(s)". */
function squash(name: string): string {
  return name
    .toLowerCase()
    .replace(/\(s\)\s*$/, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** True when the names denote the same attribute under the lenient rule. */
export function sameAttributeName(a: string, b: string): boolean {
  const x = squash(a);
  const y = squash(b);
  if (!x || !y) return false;
  return x === y || x + 's' === y || y + 's' === x || x + 'es' === y || y + 'es' === x;
}

/**
 * Maps each predicted name to the gold name it denotes: an exact match first, otherwise the first
 * lenient match in gold order. Predicted names that match no gold name are absent from the map.
 */
export function matchAttributeNames(predicted: Iterable<string>, gold: readonly string[]): Map<string, string> {
  const goldSet = new Set(gold);
  const mapping = new Map<string, string>();
  for (const name of predicted) {
    if (goldSet.has(name)) {
      mapping.set(name, name);
      continue;
    }
    const match = gold.find((g) => sameAttributeName(name, g));
    if (match !== undefined) mapping.set(name, match);
  }
  return mapping;
}
