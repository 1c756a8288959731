/**
 * Contracts of the scoring and aggregation stage: what a function said about a document, how
 * functions scored on the sample, the fitted label model (saved in program.json) and the
 * aggregated cell with its provenance.
 */
import { z } from 'zod';

/**
 * What one function returned for one document. Structurally the sandbox's outcome, restated here so
 * aggregation does not depend on the sandbox. `abstain` is what the sandbox reports when a function
 * returns null/undefined/'': like an empty `value`, it is an *empty output*, which is either a vote
 * for "no value" or an abstention depending on {@link LabelModel.abstainOnEmpty}. An `error` is never
 * a vote: a crash or a timeout says nothing about the document.
 */
export const voteOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: z.array(z.string()) }),
  z.object({ kind: z.literal('abstain') }),
  z.object({ kind: z.literal('error'), error: z.string(), message: z.string().optional() }),
]);
export type VoteOutcome = z.infer<typeof voteOutcomeSchema>;

/** One function's outcomes on one document, keyed by function id. */
export type DocumentVotes = Readonly<Record<string, VoteOutcome>>;

/** How a function did on the sample against the pseudo-labels. */
export const functionScoreSchema = z.object({
  id: z.string(),
  /**
   * Mean token F1 over the sample documents where the function voted (errors never vote; empty
   * outputs do not vote when abstaining on empty). 0 when it never voted.
   */
  f1: z.number(),
  /**
   * Share of the documents it voted on where its vote is exactly the pseudo-label's class (normalized): what the
   * label model's accuracy means, so this is its prior. An over-capturing function earns token F1, not this.
   */
  exact: z.number().optional(),
  /** Share of labelled sample documents where it returned a (non-empty) value. */
  coverage: z.number(),
  /** Sample documents where it failed (threw, timed out, bad output, disabled, or no outcome recorded). */
  errors: z.number(),
  /** Number of sample documents the F1 is averaged over. */
  voted: z.number(),
  /** Sample documents where it returned exactly the pseudo-label's value (normalized). */
  hits: z.array(z.string()).optional(),
});
export type FunctionScore = z.infer<typeof functionScoreSchema>;

/** A function that survived selection, with why. */
export interface KeptFunction extends FunctionScore {
  reason: string;
}

export interface Selection {
  /** Best first: this order is the rank order tie-breaks use downstream. */
  kept: KeptFunction[];
  dropped: { id: string; reason: string }[];
  /** Why nothing was kept, when nothing was. */
  note?: string;
}

/** `code`: best single function; `mv`: majority vote; `ws`: label model (weak supervision). */
export type AggregationMethod = 'code' | 'mv' | 'ws';

/** The fitted aggregator of one attribute; plain JSON so it goes into program.json as is. */
export interface LabelModel {
  method: AggregationMethod;
  /** The voters in rank order, best first; ties between classes go to the better-ranked voter. */
  functionIds: string[];
  /**
   * Estimated probability that a function's vote is right (per id). A function missing here (a
   * hand-edited program) counts with {@link DEFAULT_ACCURACY}.
   */
  accuracies: Record<string, number>;
  /** True: empty outputs are abstentions; false: they are votes for "no value" (except from `abstainers`). */
  abstainOnEmpty: boolean;
  /**
   * Functions whose empty output is an abstention even when `abstainOnEmpty` is false: those that found the
   * value in fewer sample documents than the pseudo-labels did (see `findAbstainers`).
   */
  abstainers?: string[];
  /** `ws`: how many distinct non-empty values per document compete as classes. */
  classesPerDoc: number;
  /** A multi-valued attribute: `mv` and `ws` decide each value in or out (values.ts); accuracies are per value. */
  multiple?: boolean;
  /** `code`: the single function whose output is the answer. */
  best?: string;
  /** How the fit went, for reports. */
  fit?: { documents: number; iterations: number; converged: boolean };
}

/** One competing value in a cell. */
export const candidateSchema = z.object({
  /** The value as the functions wrote it (its most common raw form); null = "no value". */
  value: z.array(z.string()).nullable(),
  /** Posterior probability (`ws`), vote share (`mv`) or the function's accuracy (`code`). */
  probability: z.number(),
  /** Ids of the functions that voted for it, in rank order. */
  voters: z.array(z.string()),
});
export type Candidate = z.infer<typeof candidateSchema>;

/** One aggregated cell with its provenance. */
export interface Aggregated {
  /** null when the winner is "no value" or nobody voted. */
  value: string[] | null;
  /** In [0, 1]; 0 when no function voted. */
  confidence: number;
  /** The functions that voted for the value. */
  voters: string[];
  /** Every competing value, most probable first. */
  candidates: Candidate[];
}

/** The accuracy assumed for a function nobody estimated: equal for all, so aggregation starts as majority vote. */
export const DEFAULT_ACCURACY = 0.7;
