/**
 * Multi-valued attributes voted value by value. A cell such as a contract's parties is a set, and functions that
 * name three of four parties are mostly right: voting on whole sets would count them as wrong as one that names a
 * stranger. So every value any voter names is its own two-way contest on that document: the voters that name it
 * say "in", the others that voted on the document say "out". A function is right on a contest with probability a_j
 * (its per-value accuracy) whichever way it votes, so the log-odds that a value is in is the sum of its "in" voters'
 * logit(a_j) minus that of its "out" voters (weights never negative, as in em.ts). EM alternates those posteriors
 * with re-estimating each a_j as the expected share of its contests it got right, smoothed towards its sample score.
 */
import { normalizeValue, multiValueParts } from '../text/normalize.ts';
import { clampAccuracy, logOdds } from './em.ts';
import { abstainsOnEmpty, readVote, type EmptyPolicy } from './votes.ts';
import { DEFAULT_ACCURACY, type Aggregated, type DocumentVotes } from './types.ts';

/** One value on one document: its key, the form the best-ranked voter naming it wrote, and who said in or out. */
export interface ValueContest {
  key: string;
  value: string;
  /** Indices into the function list, ascending (= rank order). */
  in: number[];
  out: number[];
}

/** A document's value contests, in the order the best-ranked voters name the values; `voters` is everyone who voted. */
export function valueContests(outcomes: DocumentVotes, functionIds: readonly string[], policy: EmptyPolicy): { contests: ValueContest[]; voters: number[] } {
  const voters: number[] = [];
  const named = new Map<string, ValueContest>();
  const namedBy: Set<string>[] = [];
  functionIds.forEach((id, j) => {
    const vote = readVote(outcomes[id], abstainsOnEmpty(policy, id));
    if (!vote) return;
    voters.push(j);
    const keys = new Set<string>();
    for (const part of multiValueParts(vote.value)) {
      const key = normalizeValue(part);
      if (!key || keys.has(key)) continue;
      keys.add(key);
      const contest = named.get(key);
      if (contest) contest.in.push(j);
      else named.set(key, { key, value: part, in: [j], out: [] });
    }
    namedBy[j] = keys;
  });
  for (const contest of named.values()) {
    for (const j of voters) if (!namedBy[j]?.has(contest.key)) contest.out.push(j);
  }
  return { contests: [...named.values()], voters };
}

/** Probability that the value is in, from the voters' weights (logit of accuracy, never below 0). */
export function valuePosterior(contest: ValueContest, weights: readonly number[]): number {
  let score = 0;
  for (const j of contest.in) score += weights[j] ?? 0;
  for (const j of contest.out) score -= weights[j] ?? 0;
  return 1 / (1 + Math.exp(-score));
}

const weightsOf = (accuracies: readonly number[]): number[] => logOdds(accuracies.map(clampAccuracy)).map((w) => Math.max(0, w));

/**
 * Per-value accuracies by EM over every document's value contests (the iterable is read once), starting from and
 * smoothed towards the sample scores (`priors`, per function; missing ones at the default accuracy).
 */
export function estimateValueAccuracies(
  votes: Iterable<DocumentVotes>,
  functionIds: readonly string[],
  policy: EmptyPolicy,
  priors: readonly (number | undefined)[],
  options: { maxIterations: number; priorWeight: number },
): { accuracies: number[]; iterations: number; converged: boolean; documents: number; voted: number[] } {
  const contests: ValueContest[] = [];
  const voted = functionIds.map(() => 0);
  let documents = 0;
  for (const outcomes of votes) {
    const document = valueContests(outcomes, functionIds, policy);
    if (document.voters.length === 0) continue;
    documents += 1;
    for (const j of document.voters) voted[j] = (voted[j] ?? 0) + 1;
    contests.push(...document.contests);
  }
  const means = priors.map((p) => clampAccuracy(p ?? DEFAULT_ACCURACY));
  const cast = functionIds.map(() => 0);
  for (const contest of contests) for (const j of [...contest.in, ...contest.out]) cast[j] = (cast[j] ?? 0) + 1;
  let accuracies = [...means];
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const weights = weightsOf(accuracies);
    const right = functionIds.map(() => 0);
    for (const contest of contests) {
      const p = valuePosterior(contest, weights);
      for (const j of contest.in) right[j] = (right[j] ?? 0) + p;
      for (const j of contest.out) right[j] = (right[j] ?? 0) + 1 - p;
    }
    const next = means.map((mean, j) => clampAccuracy(((right[j] ?? 0) + options.priorWeight * mean) / ((cast[j] ?? 0) + options.priorWeight)));
    const change = Math.max(0, ...next.map((a, j) => Math.abs(a - (accuracies[j] ?? a))));
    accuracies = next;
    if (change < 1e-6) return { accuracies, iterations: iteration, converged: true, documents, voted };
  }
  return { accuracies, iterations: options.maxIterations, converged: false, documents, voted };
}

/**
 * One document's multi-valued cell: the values more likely in than out, in the order the best-ranked voters name
 * them. `accuracies` null is a majority vote; an even split goes the way the best-ranked voter on it went. Confidence is the
 * chance every value was decided right (the product over contests); candidates are the values one by one.
 */
export function aggregateValues(outcomes: DocumentVotes, functionIds: readonly string[], policy: EmptyPolicy, accuracies: readonly number[] | null): Aggregated {
  const { contests, voters } = valueContests(outcomes, functionIds, policy);
  if (voters.length === 0) return { value: null, confidence: 0, voters: [], candidates: [] };
  const weights = accuracies ? weightsOf(accuracies) : null;
  const decided = contests.map((contest) => {
    const p = weights ? valuePosterior(contest, weights) : contest.in.length / (contest.in.length + contest.out.length);
    // An even split goes the way its best-ranked voter went, as whole answers tie-break by rank.
    const bestSaidIn = (contest.in[0] ?? Infinity) < (contest.out[0] ?? Infinity);
    return { contest, p, in: p > 0.5 || (p === 0.5 && bestSaidIn) };
  });
  const chosen = decided.filter((entry) => entry.in);
  let confidence = 1;
  for (const { p } of decided) confidence *= Math.max(p, 1 - p);
  if (contests.length === 0 && weights) {
    // Everyone voted "no value": as sure as their combined weight.
    confidence = 1 / (1 + Math.exp(-voters.reduce((sum, j) => sum + (weights[j] ?? 0), 0)));
  }
  const named = new Set(chosen.flatMap(({ contest }) => contest.in));
  const ids = (indices: readonly number[]) => indices.map((j) => functionIds[j] ?? '');
  return {
    value: chosen.length > 0 ? chosen.map(({ contest }) => contest.value) : null,
    confidence,
    voters: chosen.length > 0 ? ids([...named].sort((a, b) => a - b)) : ids(voters),
    candidates: decided
      .map(({ contest, p }) => ({ value: [contest.value], probability: p, voters: ids(contest.in) }))
      .sort((a, b) => b.probability - a.probability),
  };
}
