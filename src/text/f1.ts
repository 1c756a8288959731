/**
 * Token F1 between two cells after METHOD.md normalization: shared by the benchmark metric (eval) and the
 * scoring of candidate functions (aggregate).
 */
import { normalizedItemSet, normalizedJoined, normalizedValueSet, type MetricValue } from './normalize.ts';

function tokenF1(predTokens: readonly string[], goldTokens: readonly string[]): number {
  if (predTokens.length === 0 || goldTokens.length === 0) {
    return predTokens.length === goldTokens.length ? 1 : 0;
  }
  const counts = new Map<string, number>();
  for (const t of goldTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predTokens) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      same += 1;
      counts.set(t, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const stripDots = (s: string): string => s.replace(/^\.+|\.+$/g, '');

/**
 * Per-document token F1 between a prediction and the gold (SQuAD style, tokens counted with
 * multiplicity), after METHOD.md normalization:
 * - both empty = 1, exactly one empty = 0;
 * - comma lists as sets: when the two sides, split on list commas (not "1,000") and normalized, are the same set
 *   (order and repeats ignored), the score is 1;
 * - a multi-valued gold is one set of values (Evaporate joins list values before scoring): a
 *   prediction must name all of them to score 1, and naming some earns partial credit;
 * - prefix rule: a prediction that begins with the gold (ignoring leading/trailing dots) is cut to
 *   the gold's token count, because SWDE labels are often a prefix of what the page shows.
 *   Unlike the Evaporate code we apply it only to a non-empty gold; there an empty gold is a
 *   prefix of everything, which scores any prediction 1 where nothing should be found.
 */
export function textF1(pred: MetricValue, gold: MetricValue): number {
  return cellF1(pred, gold, true);
}

/**
 * The same as {@link textF1} without the prefix rule, so over-capture costs what it should ("Toy Story 2"
 * against "Toy Story" scores 0.8, not 1). Candidate functions are scored with this; benchmark reports show it
 * beside the paper metric.
 */
export function strictTextF1(pred: MetricValue, gold: MetricValue): number {
  return cellF1(pred, gold, false);
}

function cellF1(pred: MetricValue, gold: MetricValue, prefixRule: boolean): number {
  const predSet = normalizedItemSet(pred);
  const goldSet = normalizedItemSet(gold);
  if (predSet.length > 0 && sameList(predSet, goldSet)) return 1;

  const goldText = normalizedJoined(gold);
  let predText = normalizedJoined(pred);
  const goldTokens = goldText ? goldText.split(' ') : [];
  if (prefixRule && goldTokens.length > 0 && stripDots(predText).startsWith(stripDots(goldText))) {
    predText = predText.split(' ').slice(0, goldTokens.length).join(' ');
  }
  return tokenF1(predText ? predText.split(' ') : [], goldTokens);
}


/**
 * F1 over the values of a multi-valued cell: each predicted value is paired with at most one gold value (best
 * token F1 first), a pair earns its token F1, and precision and recall divide the total by the number of predicted
 * and gold values. So naming one party of two scores 0.67, and adding a wrong third costs precision, where the
 * joined-text metric would let long values outweigh short ones. Values are read by `normalizedValueSet` (a list's
 * elements, commas and all). Both empty = 1, exactly one empty = 0.
 */
export function setF1(pred: MetricValue, gold: MetricValue): number {
  const predItems = normalizedValueSet(pred);
  const goldItems = normalizedValueSet(gold);
  if (predItems.length === 0 || goldItems.length === 0) return predItems.length === goldItems.length ? 1 : 0;
  const pairs: { p: number; g: number; f1: number }[] = [];
  predItems.forEach((p, i) =>
    goldItems.forEach((g, j) => {
      const f1 = tokenF1(p.split(' '), g.split(' '));
      if (f1 > 0) pairs.push({ p: i, g: j, f1 });
    }),
  );
  pairs.sort((a, b) => b.f1 - a.f1 || a.p - b.p || a.g - b.g);
  const usedPred = new Set<number>();
  const usedGold = new Set<number>();
  let matched = 0;
  for (const pair of pairs) {
    if (usedPred.has(pair.p) || usedGold.has(pair.g)) continue;
    usedPred.add(pair.p);
    usedGold.add(pair.g);
    matched += pair.f1;
  }
  if (matched === 0) return 0;
  const precision = matched / predItems.length;
  const recall = matched / goldItems.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Shared values over all values named by either side (normalized, exact): 1 when the sets are equal, both empty included. */
export function setOverlap(pred: MetricValue, gold: MetricValue): number {
  const predItems = new Set(normalizedValueSet(pred));
  const goldItems = normalizedValueSet(gold);
  if (predItems.size === 0 && goldItems.length === 0) return 1;
  const shared = goldItems.filter((item) => predItems.has(item)).length;
  return shared / (predItems.size + goldItems.length - shared);
}
