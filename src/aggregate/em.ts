/**
 * The `ws` label model: a one-coin Dawid-Skene model with abstentions, fitted by EM.
 *
 * Per document the classes are the few most frequent distinct values (plus "no value" when empty
 * outputs are votes), and a further latent option "none of them" stands for a truth no function
 * produced. A function votes for the truth with probability a_j (its accuracy) and otherwise
 * spreads its vote evenly over the m wrong options, so the posterior of class c is proportional to
 * the product over c's voters of a_j * m / (1 - a_j): a weighted majority vote whose weights are
 * the log-odds of accuracy. A weight is never negative: a function worse than chance is ignored
 * rather than read as evidence against what it says (its wrong answers are spread over many values,
 * not aimed away from the truth). EM alternates those posteriors with re-estimating each a_j as the
 * expected share of its votes that were right.
 */
import { DEFAULT_ACCURACY } from './types.ts';
import { groupVotes, NO_VALUE, type EmptyPolicy, type VoteClass } from './votes.ts';
import type { DocumentVotes } from './types.ts';

const TOLERANCE = 1e-6;
// Where a restart that takes one function as right starts that function.
const RELIABLE_START = 0.9;
// Accuracies of exactly 0 or 1 would make one vote overrule every other.
const MIN_ACCURACY = 0.01;
const MAX_ACCURACY = 0.99;

export const clampAccuracy = (a: number): number => Math.min(MAX_ACCURACY, Math.max(MIN_ACCURACY, a));

/** A document's competing classes and the voters whose value is none of them. */
export interface Contest {
  classes: VoteClass[];
  outside: number[];
}

/** For `ws`: the `limit` largest non-empty classes, plus the "no value" class when it has votes. */
export function contest(outcomes: DocumentVotes, functionIds: readonly string[], abstainOnEmpty: EmptyPolicy, limit: number): Contest {
  const classes: VoteClass[] = [];
  const outside: number[] = [];
  let valued = 0;
  for (const group of groupVotes(outcomes, functionIds, abstainOnEmpty)) {
    if (group.key === NO_VALUE || valued < limit) {
      classes.push(group);
      if (group.key !== NO_VALUE) valued += 1;
    } else {
      outside.push(...group.voters);
    }
  }
  return { classes, outside };
}

/** log(a / (1 - a)) per function: with log m added, a vote's weight (computed once per EM step, not per vote). */
export function logOdds(accuracies: readonly number[]): number[] {
  return accuracies.map((a) => Math.log(a / (1 - a)));
}

/**
 * Posterior of each class, and last of "none of them" (see the module comment), from the voters'
 * {@link logOdds}; written into `out` (EM reuses one buffer) or a new array. Ties keep the class
 * order, so the caller picks the first maximum.
 */
export function posterior(classes: readonly VoteClass[], odds: readonly number[], out: number[] = []): number[] {
  const m = classes.length;
  const logM = Math.log(m);
  // Scores are log-weights relative to "none of them", whose score is 0.
  let top = 0;
  for (let k = 0; k < m; k++) {
    let score = 0;
    for (const j of (classes[k] as VoteClass).voters) score += Math.max(0, (odds[j] ?? 0) + logM);
    out[k] = score;
    if (score > top) top = score;
  }
  out[m] = 0;
  let total = 0;
  for (let k = 0; k <= m; k++) {
    out[k] = Math.exp((out[k] ?? 0) - top);
    total += out[k] ?? 0;
  }
  for (let k = 0; k <= m; k++) out[k] = (out[k] ?? 0) / total;
  out.length = m + 1;
  return out;
}

/** Votes cast per function over all contests. */
export function countVotes(contests: readonly Contest[], functions: number): number[] {
  const votes = new Array<number>(functions).fill(0);
  for (const { classes, outside } of contests) {
    for (const c of classes) for (const j of c.voters) votes[j] = (votes[j] ?? 0) + 1;
    for (const j of outside) votes[j] = (votes[j] ?? 0) + 1;
  }
  return votes;
}

export interface EmResult {
  accuracies: number[];
  iterations: number;
  converged: boolean;
}

interface EmSettings {
  /** Mean of the smoothing prior per function: the sample scores, or the default accuracy. */
  priors: readonly number[];
  votes: readonly number[];
  maxIterations: number;
  priorWeight: number;
}

/** One-coin Dawid-Skene EM over materialized contests, from the given starting accuracies. */
function runEm(contests: readonly Contest[], start: readonly number[], settings: EmSettings): EmResult {
  const { priors, votes, priorWeight } = settings;
  let accuracies = [...start];
  for (let iteration = 1; iteration <= settings.maxIterations; iteration++) {
    const right = priors.map(() => 0);
    const odds = logOdds(accuracies);
    const p: number[] = [];
    for (const { classes } of contests) {
      posterior(classes, odds, p);
      for (let k = 0; k < classes.length; k++) {
        for (const j of (classes[k] as VoteClass).voters) right[j] = (right[j] ?? 0) + (p[k] ?? 0);
      }
    }
    const next = priors.map((prior, j) => clampAccuracy(((right[j] ?? 0) + priorWeight * prior) / ((votes[j] ?? 0) + priorWeight)));
    const change = Math.max(0, ...next.map((a, j) => Math.abs(a - (accuracies[j] ?? a))));
    accuracies = next;
    if (change < TOLERANCE) return { accuracies, iterations: iteration, converged: true };
  }
  return { accuracies, iterations: settings.maxIterations, converged: false };
}

/** Log-likelihood of the sample scores (read as shares of right votes) under estimated accuracies. */
function sampleLikelihood(accuracies: readonly number[], sampleScores: readonly (number | undefined)[]): number {
  let total = 0;
  sampleScores.forEach((p, j) => {
    const a = accuracies[j] ?? DEFAULT_ACCURACY;
    if (p !== undefined) total += p * Math.log(a) + (1 - p) * Math.log(1 - a);
  });
  return total;
}

/**
 * Starting accuracies that take function `source` as right: every other function starts at its rate
 * of agreement with it on the documents both voted on.
 */
function agreementStart(contests: readonly Contest[], source: number, functions: number): number[] {
  const agreed = new Array<number>(functions).fill(0);
  const shared = new Array<number>(functions).fill(0);
  for (const { classes, outside } of contests) {
    const sourceClass = classes.find((c) => c.voters.includes(source));
    if (!sourceClass && !outside.includes(source)) continue;
    for (const c of classes) for (const j of c.voters) shared[j] = (shared[j] ?? 0) + 1;
    for (const j of outside) shared[j] = (shared[j] ?? 0) + 1;
    for (const j of sourceClass?.voters ?? []) agreed[j] = (agreed[j] ?? 0) + 1;
  }
  return shared.map((n, j) => (j === source ? RELIABLE_START : n === 0 ? DEFAULT_ACCURACY : clampAccuracy((agreed[j] ?? 0) / n)));
}

/**
 * Estimates accuracies by EM. Agreement alone has several fixed points when functions are
 * correlated: a clique of copies agreeing on wrong values explains the votes as well as the
 * independent good functions do, and noisy 10-document sample scores can start EM in the clique's
 * basin. So with sample scores, EM also starts from equal accuracies and from "function j is right"
 * for every j, and the fixed point under which the sample scores are most likely wins (on a tie the
 * first, in the order: scores, equal, each function by rank). Without scores there is nothing to
 * judge by, and the single start is equal accuracies (a majority vote first).
 */
export function estimateAccuracies(
  contests: readonly Contest[],
  sampleScores: readonly (number | undefined)[],
  options: { maxIterations: number; priorWeight: number },
): EmResult {
  const priors = sampleScores.map((p) => clampAccuracy(p ?? DEFAULT_ACCURACY));
  const settings: EmSettings = { ...options, priors, votes: countVotes(contests, priors.length) };
  const equal = priors.map(() => DEFAULT_ACCURACY);
  if (sampleScores.every((p) => p === undefined)) return runEm(contests, equal, settings);

  const starts = [priors, equal, ...priors.map((_, j) => agreementStart(contests, j, priors.length))];
  const fits = starts.map((start) => {
    const result = runEm(contests, start, settings);
    return { result, likelihood: sampleLikelihood(result.accuracies, sampleScores) };
  });
  return fits.reduce((best, fit) => (fit.likelihood > best.likelihood + TOLERANCE ? fit : best)).result;
}
