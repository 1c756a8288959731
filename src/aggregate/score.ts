/**
 * Scoring candidate functions on the sample against the pseudo-labels (METHOD.md stage 7).
 */
import { setF1, setOverlap, strictTextF1 } from '../text/f1.ts';
import { compareStrings } from '../corpus/random.ts';
import { normalizedValueSet } from '../text/normalize.ts';
import { NO_VALUE, abstainsOnEmpty, hasValue, readVote, voteKey } from './votes.ts';
import type { DocumentVotes, FunctionScore } from './types.ts';

/** Share of sample documents with a value above which empty outputs count as abstentions (METHOD.md: 90%). */
export const ABSTAIN_THRESHOLD = 0.9;

function isLabelled(label: readonly string[] | null): boolean {
  return label !== null && voteKey(label) !== NO_VALUE;
}

/**
 * Whether a function's empty output should be an abstention rather than a vote for "no value": true
 * when the pseudo-labels found a value in at least `threshold` of the sample documents, since for an
 * attribute nearly every document has, "found nothing" says more about the function than the
 * document. No labels at all: false (nothing shows the attribute is usually present).
 */
export function decideAbstention(pseudoLabels: ReadonlyMap<string, readonly string[] | null>, threshold = ABSTAIN_THRESHOLD): boolean {
  if (pseudoLabels.size === 0) return false;
  let found = 0;
  for (const label of pseudoLabels.values()) if (isLabelled(label)) found += 1;
  return found / pseudoLabels.size >= threshold;
}

/** Share of labelled sample documents with several values above which an attribute is read as multi-valued. */
export const MULTI_VALUED_SHARE = 0.25;

/**
 * Whether the pseudo-labels show a multi-valued attribute (when the schema does not say): at least two labelled
 * sample documents, and {@link MULTI_VALUED_SHARE} of them, give several distinct values.
 */
export function isMultiValued(pseudoLabels: ReadonlyMap<string, readonly string[] | null>): boolean {
  const labelled = [...pseudoLabels.values()].filter(isLabelled);
  const several = labelled.filter((label) => normalizedValueSet(label).length > 1).length;
  return several >= 2 && several / labelled.length >= MULTI_VALUED_SHARE;
}

/**
 * Token F1 of every function against the pseudo-labels, over the documents that have a pseudo-label
 * (sample documents without one are ignored). Where a function voted, its output is scored with the
 * project's strict text F1 (an empty output as "no value"); errors and, when `abstainOnEmpty`, empty outputs
 * are not votes and are left out of its F1 but count against its coverage. Functions are every id
 * seen in `sampleVotes`, sorted by id. Scoring is strict (no SWDE prefix rule): a function that over-captures
 * ("Toy Story 2" for "Toy Story") must not tie with one that is exact. A multi-valued attribute (`multiple`) is scored
 * value by value: F1 by {@link setF1}, and `exact` as the share of the values named by function or label that both
 * name, which is how often its in-or-out vote on one value is right (the label model's per-value accuracy).
 */
export function scoreFunctions(
  sampleVotes: ReadonlyMap<string, DocumentVotes>,
  pseudoLabels: ReadonlyMap<string, readonly string[] | null>,
  options: { abstainOnEmpty: boolean; abstainers?: ReadonlySet<string>; multiple?: boolean },
): FunctionScore[] {
  const policy = options.abstainOnEmpty || !options.abstainers?.size ? options.abstainOnEmpty : options.abstainers;
  const ids = new Set<string>();
  for (const outcomes of sampleVotes.values()) for (const id of Object.keys(outcomes)) ids.add(id);
  const docs = [...pseudoLabels.keys()].sort(compareStrings);

  return [...ids].sort(compareStrings).map((id) => {
    let f1Sum = 0;
    let exact = 0;
    let voted = 0;
    let withValue = 0;
    let errors = 0;
    const hits: string[] = [];
    for (const doc of docs) {
      const outcome = sampleVotes.get(doc)?.[id];
      if (outcome === undefined || outcome.kind === 'error') errors += 1;
      if (hasValue(outcome)) withValue += 1;
      const vote = readVote(outcome, abstainsOnEmpty(policy, id));
      if (!vote) continue;
      voted += 1;
      const label = pseudoLabels.get(doc) ?? null;
      f1Sum += options.multiple ? setF1(vote.value, label) : strictTextF1(vote.value, label);
      const overlap = options.multiple ? setOverlap(vote.value, label) : vote.key === voteKey(label ?? []) ? 1 : 0;
      exact += overlap;
      const same = overlap === 1;
      if (same && vote.value !== null) hits.push(doc);
    }
    return {
      id,
      f1: voted === 0 ? 0 : f1Sum / voted,
      exact: voted === 0 ? 0 : exact / voted,
      coverage: docs.length === 0 ? 0 : withValue / docs.length,
      errors,
      voted,
      hits,
    };
  });
}

/**
 * The functions whose empty output should be an abstention when empty outputs are otherwise votes: those
 * that returned a value on fewer than `threshold` of the sample documents where the pseudo-labels have one.
 * Such a function covers part of the corpus only (a template, a wording), so its silence elsewhere is no
 * evidence that a document lacks the value; letting it vote "no value" would let several such specialists
 * outvote the one that applies.
 */
export function findAbstainers(
  sampleVotes: ReadonlyMap<string, DocumentVotes>,
  pseudoLabels: ReadonlyMap<string, readonly string[] | null>,
  threshold = ABSTAIN_THRESHOLD,
): Set<string> {
  const labelled = [...pseudoLabels].filter(([, label]) => isLabelled(label)).map(([doc]) => doc);
  const ids = new Set<string>();
  for (const outcomes of sampleVotes.values()) for (const id of Object.keys(outcomes)) ids.add(id);
  const abstainers = new Set<string>();
  for (const id of ids) {
    const found = labelled.filter((doc) => hasValue(sampleVotes.get(doc)?.[id])).length;
    if (labelled.length === 0 || found / labelled.length < threshold) abstainers.add(id);
  }
  return abstainers;
}
