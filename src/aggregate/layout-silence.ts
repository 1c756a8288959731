/**
 * Per-layout trust (issue 17, item 3): a function that the sample shows failing on one layout, where another kept
 * function of the same attribute gets it right, does not vote on that layout's documents. Otherwise its prior,
 * earned on other layouts, lets it outvote the function that works there (a title function that appends the year,
 * right on one site, winning on another site's pages).
 */

/** A layout must have at least this many labelled sample documents before a function is judged on it alone. */
export const MIN_LAYOUT_EVIDENCE = 2;

/**
 * Per function id, the sample layouts (ids) it stays silent on: layouts with at least {@link MIN_LAYOUT_EVIDENCE}
 * labelled sample documents on none of which it was exactly right, while another kept function was on some.
 * `layoutOf` maps sample document ids to their layout; `labelled` lists the sample documents whose pseudo-label has
 * a value; `hits` per function lists the documents where its output was the pseudo-label.
 */
export function layoutSilences(
  layoutOf: ReadonlyMap<string, string>,
  labelled: readonly string[],
  kept: readonly { id: string; hits?: readonly string[] }[],
): Map<string, string[]> {
  const labelledIn = new Map<string, string[]>();
  for (const doc of labelled) {
    const layout = layoutOf.get(doc);
    if (layout !== undefined) labelledIn.set(layout, [...(labelledIn.get(layout) ?? []), doc]);
  }
  const silences = new Map<string, string[]>();
  for (const [layout, docs] of labelledIn) {
    if (docs.length < MIN_LAYOUT_EVIDENCE) continue;
    const right = kept.map((fn) => docs.some((doc) => fn.hits?.includes(doc)));
    if (!right.some(Boolean)) continue;
    kept.forEach((fn, i) => {
      if (!right[i]) silences.set(fn.id, [...(silences.get(fn.id) ?? []), layout]);
    });
  }
  return silences;
}
