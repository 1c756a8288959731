/**
 * Token F1 between two cells after METHOD.md normalization: shared by the benchmark metric (eval) and the
 * scoring of candidate functions (aggregate).
 */
import { normalizedItemSet, normalizedJoined, type MetricValue } from './normalize.ts';

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

