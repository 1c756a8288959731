/**
 * Combining the kept functions' votes into one value per document (METHOD.md stage 8): `code` (the
 * best single function), `mv` (majority vote) and `ws` (the label model of em.ts).
 *
 * Agreement alone cannot tell a large clique of copying functions from a large group of good ones;
 * the sample scores, which come from an independent source (the model's direct extraction), break
 * that symmetry, so pass them when there are any.
 */
import { DEFAULT_ACCURACY } from './types.ts';
import { groupVotes, type EmptyPolicy, type VoteClass } from './votes.ts';
import { clampAccuracy, contest, countVotes, estimateAccuracies, logOdds, posterior, type Contest } from './em.ts';
import { aggregateValues, estimateValueAccuracies } from './values.ts';
import type { Aggregated, AggregationMethod, Candidate, DocumentVotes, LabelModel } from './types.ts';

export const DEFAULT_CLASSES_PER_DOC = 5;
const DEFAULT_MAX_ITERATIONS = 100;
const DEFAULT_PRIOR_WEIGHT = 5;

const METHODS: readonly AggregationMethod[] = ['code', 'mv', 'ws'];

export interface FitOptions {
  method: AggregationMethod;
  /** The kept functions in rank order, best first. */
  functionIds: string[];
  abstainOnEmpty: boolean;
  /** Functions whose empty output is an abstention even when `abstainOnEmpty` is false. */
  abstainers?: string[];
  /** Sample scores per function: they seed the EM and pull small fits towards them; `code` ranks by them. */
  priorAccuracies?: Record<string, number>;
  /** Distinct non-empty values per document that compete as classes (default 5). */
  classesPerDoc?: number;
  /** EM iterations at most (default 100). */
  maxIterations?: number;
  /** How many votes' worth the prior accuracy counts in each re-estimate (default 5, about a sample's size). */
  priorWeight?: number;
  /** A multi-valued attribute: votes are counted value by value (values.ts), and accuracies are per value. */
  multiple?: boolean;
}

function checkOptions(options: FitOptions): void {
  if (!METHODS.includes(options.method)) {
    throw new Error(`fitLabelModel: unknown method "${String(options.method)}"; use one of ${METHODS.join(', ')}`);
  }
  const classesPerDoc = options.classesPerDoc ?? DEFAULT_CLASSES_PER_DOC;
  if (!Number.isInteger(classesPerDoc) || classesPerDoc < 1) {
    throw new Error(`fitLabelModel: classesPerDoc must be a positive integer, got ${classesPerDoc}`);
  }
  if (new Set(options.functionIds).size !== options.functionIds.length) {
    throw new Error('fitLabelModel: functionIds contains duplicates; each kept function must appear once');
  }
  for (const [id, a] of Object.entries(options.priorAccuracies ?? {})) {
    if (!(a >= 0 && a <= 1)) throw new Error(`fitLabelModel: prior accuracy of "${id}" must be in [0, 1], got ${a}`);
  }
}

/**
 * Fits the aggregator of one attribute on the kept functions' votes (one record per document; the
 * iterable is read once). `ws` estimates accuracies by EM; `code` picks the function with the most
 * expected right answers (accuracy, from the priors or else estimated, times the share of documents
 * it voted on); `mv` needs nothing and keeps the priors for reference.
 */
export function fitLabelModel(votes: Iterable<DocumentVotes>, options: FitOptions): LabelModel {
  checkOptions(options);
  const { method, functionIds, abstainOnEmpty } = options;
  const policy = emptyPolicy(options);
  const classesPerDoc = options.classesPerDoc ?? DEFAULT_CLASSES_PER_DOC;
  const given = options.priorAccuracies ?? {};
  const sampleScores = functionIds.map((id) => given[id]);
  const hasPriors = sampleScores.some((p) => p !== undefined);
  const base: LabelModel = {
    method,
    functionIds: [...functionIds],
    accuracies: {},
    abstainOnEmpty,
    ...(options.abstainers?.length ? { abstainers: [...options.abstainers] } : {}),
    classesPerDoc,
    ...(options.multiple ? { multiple: true } : {}),
  };

  if (method === 'mv') {
    for (const id of functionIds) if (given[id] !== undefined) base.accuracies[id] = given[id];
    return base;
  }

  const settings = { maxIterations: options.maxIterations ?? DEFAULT_MAX_ITERATIONS, priorWeight: options.priorWeight ?? DEFAULT_PRIOR_WEIGHT };
  let em: { accuracies: number[]; iterations: number; converged: boolean };
  let documents: number;
  let voted: number[];
  if (options.multiple) {
    ({ documents, voted, ...em } = estimateValueAccuracies(votes, functionIds, policy, sampleScores, settings));
  } else {
    const contests: Contest[] = [];
    for (const outcomes of votes) {
      const c = contest(outcomes, functionIds, policy, classesPerDoc);
      if (c.classes.length > 0 || c.outside.length > 0) contests.push(c);
    }
    em =
      method === 'ws' || !hasPriors
        ? estimateAccuracies(contests, sampleScores, settings)
        : { accuracies: sampleScores.map((p) => clampAccuracy(p ?? DEFAULT_ACCURACY)), iterations: 0, converged: true };
    documents = contests.length;
    voted = countVotes(contests, functionIds.length);
  }
  functionIds.forEach((id, j) => (base.accuracies[id] = em.accuracies[j] ?? DEFAULT_ACCURACY));
  base.fit = { documents, iterations: em.iterations, converged: em.converged };
  if (method === 'ws') return base;

  const share = (j: number): number => (documents === 0 ? 1 : (voted[j] ?? 0) / documents);
  let best = -1;
  let bestExpected = -1;
  functionIds.forEach((_, j) => {
    const expected = (em.accuracies[j] ?? 0) * share(j);
    if (expected > bestExpected) [best, bestExpected] = [j, expected];
  });
  const bestId = functionIds[best];
  if (bestId !== undefined) base.best = bestId;
  return base;
}

const NOBODY: Aggregated = { value: null, confidence: 0, voters: [], candidates: [] };

function decide(classes: readonly VoteClass[], probabilities: readonly number[], functionIds: readonly string[]): Aggregated {
  const candidates: Candidate[] = classes.map((c, k) => ({
    value: c.value,
    probability: probabilities[k] ?? 0,
    voters: c.voters.map((j) => functionIds[j] ?? ''),
  }));
  // Stable sort: equal probabilities keep the class order (larger, then better-ranked, first).
  candidates.sort((a, b) => b.probability - a.probability);
  const [winner] = candidates;
  if (!winner) return NOBODY;
  return { value: winner.value, confidence: winner.probability, voters: winner.voters, candidates };
}

/** Aggregates one document's outcomes with a fitted (or saved) model. Functions not in the model are ignored. */
export function aggregateDocument(outcomes: DocumentVotes, model: LabelModel): Aggregated {
  const { functionIds } = model;
  const abstainOnEmpty = emptyPolicy(model);
  switch (model.method) {
    case 'code': {
      const best = model.best ?? functionIds[0];
      if (best === undefined) return NOBODY;
      const [only] = groupVotes(outcomes, [best], abstainOnEmpty);
      if (!only) return NOBODY;
      return decide([only], [model.accuracies[best] ?? DEFAULT_ACCURACY], [best]);
    }
    case 'mv': {
      if (model.multiple) return aggregateValues(outcomes, functionIds, abstainOnEmpty, null);
      const classes = groupVotes(outcomes, functionIds, abstainOnEmpty);
      const total = classes.reduce((n, c) => n + c.voters.length, 0);
      return decide(classes, classes.map((c) => c.voters.length / total), functionIds);
    }
    case 'ws': {
      if (model.multiple) return aggregateValues(outcomes, functionIds, abstainOnEmpty, functionIds.map((id) => model.accuracies[id] ?? DEFAULT_ACCURACY));
      const limit = model.classesPerDoc >= 1 ? model.classesPerDoc : DEFAULT_CLASSES_PER_DOC;
      const { classes } = contest(outcomes, functionIds, abstainOnEmpty, limit);
      const accuracies = functionIds.map((id) => clampAccuracy(model.accuracies[id] ?? DEFAULT_ACCURACY));
      return decide(classes, posterior(classes, logOdds(accuracies)), functionIds);
    }
    default:
      throw new Error(`aggregateDocument: unknown method "${String((model as { method: unknown }).method)}"; use one of ${METHODS.join(', ')}`);
  }
}

/** The empty-output policy of a model or fit: everyone abstains, or only the listed abstainers do. */
export function emptyPolicy(model: { abstainOnEmpty: boolean; abstainers?: readonly string[] }): EmptyPolicy {
  return model.abstainOnEmpty || !model.abstainers?.length ? model.abstainOnEmpty : new Set(model.abstainers);
}
