/** Scoring candidates against pseudo-labels, filtering them, and aggregating their votes per document. */
export {
  DEFAULT_ACCURACY,
  voteOutcomeSchema,
  functionScoreSchema,
  candidateSchema,
  type VoteOutcome,
  type DocumentVotes,
  type FunctionScore,
  type KeptFunction,
  type Selection,
  type AggregationMethod,
  type LabelModel,
  type Candidate,
  type Aggregated,
} from './types.ts';
export { voteKey, readVote, abstainsOnEmpty, NO_VALUE, type Vote, type EmptyPolicy } from './votes.ts';
export { decideAbstention, findAbstainers, isMultiValued, scoreFunctions, ABSTAIN_THRESHOLD } from './score.ts';
export { aggregateValues, valueContests, type ValueContest } from './values.ts';
export { selectFunctions, compareScores, type SelectOptions } from './select.ts';
export { fitLabelModel, aggregateDocument, emptyPolicy, DEFAULT_CLASSES_PER_DOC, type FitOptions } from './label-model.ts';
export { pseudoLabelsFromAgreement, type AgreementOptions } from './pseudo-labels.ts';
export { layoutSilences, MIN_LAYOUT_EVIDENCE } from './layout-silence.ts';
