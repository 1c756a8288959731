/**
 * Pseudo-labels without a model (issue 8): the sample's values are what the candidates agree on.
 */
import { compareStrings } from '../corpus/random.ts';
import { aggregateDocument, fitLabelModel } from './label-model.ts';
import type { DocumentVotes } from './types.ts';

export interface AgreementOptions {
  /**
   * Empty outputs are abstentions (default true): most candidates of a model-free synthesizer are
   * patterns that fire on some documents only, and their silence must not outvote the ones that fire.
   */
  abstainOnEmpty?: boolean;
  /** Distinct values per document that compete (default 5). */
  classesPerDoc?: number;
  /** A winner less probable than this gives no label (null); default 0, i.e. the best guess always. */
  minConfidence?: number;
  /** A multi-valued attribute: agreement is counted value by value. */
  multiple?: boolean;
}

/**
 * Pseudo-labels for the sample from agreement among all candidates: a label model fitted on every
 * candidate's sample votes, with no priors (its first step is a majority vote), picks each
 * document's value. Documents where no candidate voted get null. Candidates are all ids seen.
 */
export function pseudoLabelsFromAgreement(
  sampleVotes: ReadonlyMap<string, DocumentVotes>,
  options: AgreementOptions = {},
): Map<string, string[] | null> {
  const ids = new Set<string>();
  for (const outcomes of sampleVotes.values()) for (const id of Object.keys(outcomes)) ids.add(id);
  const docs = [...sampleVotes.keys()].sort(compareStrings);
  const model = fitLabelModel(
    docs.map((doc) => sampleVotes.get(doc) ?? {}),
    {
      method: 'ws',
      functionIds: [...ids].sort(compareStrings),
      abstainOnEmpty: options.abstainOnEmpty ?? true,
      ...(options.classesPerDoc === undefined ? {} : { classesPerDoc: options.classesPerDoc }),
      ...(options.multiple ? { multiple: true } : {}),
    },
  );
  const minConfidence = options.minConfidence ?? 0;
  const labels = new Map<string, string[] | null>();
  for (const doc of docs) {
    const cell = aggregateDocument(sampleVotes.get(doc) ?? {}, model);
    labels.set(doc, cell.confidence >= minConfidence && cell.confidence > 0 ? cell.value : null);
  }
  return labels;
}
