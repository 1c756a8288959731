/**
 * Filtering scored candidates (METHOD.md stage 7): drop those under an F1 threshold, keep the top k.
 */
import { compareStrings } from '../corpus/random.ts';
import type { FunctionScore, KeptFunction, Selection } from './types.ts';

export interface SelectOptions {
  /** Functions scoring below this F1 are dropped (default 0.5). */
  minF1?: number;
  /** At most this many are kept (default 10). */
  topK?: number;
}

/** Best first: F1, then exact matches, then coverage, then fewer errors, then id, so equal scores always rank the same way. */
export function compareScores(a: FunctionScore, b: FunctionScore): number {
  return b.f1 - a.f1 || (b.exact ?? 0) - (a.exact ?? 0) || b.coverage - a.coverage || a.errors - b.errors || compareStrings(a.id, b.id);
}

const pct = (x: number): string => x.toFixed(2);

/**
 * Keeps the functions with F1 >= `minF1`, at most `topK` of them, best first. When none reaches the
 * threshold none is kept and `note` says why: an empty column is honest, where the best of bad functions
 * would show wrong values at middling confidence.
 */
export function selectFunctions(scores: readonly FunctionScore[], options: SelectOptions = {}): Selection {
  const minF1 = options.minF1 ?? 0.5;
  const topK = options.topK ?? 10;
  if (!(minF1 >= 0 && minF1 <= 1)) throw new Error(`selectFunctions: minF1 must be in [0, 1], got ${minF1}`);
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`selectFunctions: topK must be a positive integer, got ${topK}`);

  const ranked = [...scores].sort(compareScores);
  const passing = ranked.filter((s) => s.f1 >= minF1);
  const kept: KeptFunction[] = [];
  const dropped: Selection['dropped'] = [];
  const describe = (s: FunctionScore): string => `F1 ${pct(s.f1)}, coverage ${pct(s.coverage)}`;
  const below = (s: FunctionScore) => ({ id: s.id, reason: `${describe(s)} is below the threshold ${pct(minF1)}` });

  if (passing.length === 0) {
    const best = ranked[0];
    const note = best
      ? `no function reached F1 ${pct(minF1)} on the sample (the best: ${best.id}, ${describe(best)}); the column is left empty`
      : 'no candidate function ran on the sample; the column is left empty';
    return { kept, dropped: ranked.map(below), note };
  }

  const order = coverFirst(passing, topK);
  order.forEach((s, i) => {
    if (i < topK) kept.push({ ...s, reason: `${describe(s)}, pick ${i + 1} of ${passing.length} above the threshold ${pct(minF1)}` });
    else dropped.push({ id: s.id, reason: `${describe(s)}, pick ${i + 1}: only ${topK} are kept` });
  });
  dropped.push(...ranked.filter((s) => s.f1 < minF1).map(below));
  return { kept, dropped };
}

/**
 * The order functions are kept in: first, greedily, the function right on the most sample documents no kept
 * function is right on yet (ties by rank), until no function adds one; then the rest by rank. Plain top-k by
 * F1 can fill every slot with variants for one template and none for another, where a corpus mixes
 * templates; on a uniform corpus the first pick covers everything and the order is the rank order.
 */
function coverFirst(ranked: readonly FunctionScore[], topK: number): FunctionScore[] {
  if (!ranked.some((s) => s.hits !== undefined)) return [...ranked];
  const covered = new Set<string>();
  const picked: FunctionScore[] = [];
  const rest = [...ranked];
  while (picked.length < topK && rest.length > 0) {
    let best = -1;
    let bestGain = 0;
    rest.forEach((s, i) => {
      const gain = (s.hits ?? []).filter((doc) => !covered.has(doc)).length;
      if (gain > bestGain) [best, bestGain] = [i, gain];
    });
    if (best < 0) break;
    const [chosen] = rest.splice(best, 1) as [FunctionScore];
    for (const doc of chosen.hits ?? []) covered.add(doc);
    picked.push(chosen);
  }
  return [...picked, ...rest];
}