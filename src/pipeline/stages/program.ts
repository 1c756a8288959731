import type { AttributeSpec } from '../../core/attributes.ts';
import type { RunSettings } from '../../core/settings.ts';
import { encodeSignature, layoutSignature, type CorpusDocument } from '../../corpus/index.ts';
import { LIBRARY_VERSION } from '../../sandbox/index.ts';
import type { CandidatesArtifact, Program, ProgramAttribute, Scores } from '../../run/index.ts';
import type { CandidateFunction } from '../../synthesis/types.ts';

/** The program: per attribute the kept functions in rank order, with where they came from and their sample F1. */
export function buildProgram(
  attributes: readonly AttributeSpec[],
  candidates: CandidatesArtifact,
  scores: Scores,
  settings: Pick<RunSettings, 'method' | 'aggregation' | 'startedAt'>,
  sample: readonly CorpusDocument[] = [],
): Program {
  const byId = new Map(candidates.candidates.map((candidate) => [candidate.id, candidate]));
  return {
    version: 1,
    method: settings.method === 'code' ? 'code' : settings.aggregation,
    now: settings.startedAt,
    library: LIBRARY_VERSION,
    ...(sample.length ? { sampleLayouts: sample.map((doc) => ({ doc: doc.id, signature: encodeSignature(layoutSignature(doc)) })) } : {}),
    // An attribute merged into another (open IE) is not a column of its own.
    attributes: attributes.filter((attribute) => scores.attributes[attribute.name]?.mergedInto === undefined).map((attribute): ProgramAttribute => {
      const entry = scores.attributes[attribute.name];
      const scored = new Map((entry?.scores ?? []).map((score) => [score.id, score]));
      return {
        name: attribute.name,
        ...(attribute.description ? { description: attribute.description } : {}),
        ...(attribute.form ? { form: attribute.form } : {}),
        ...(entry?.multiple ? { multiple: true } : {}),
        abstainOnEmpty: entry?.abstainOnEmpty ?? true,
        ...(entry?.abstainers.length ? { abstainers: entry.abstainers } : {}),
        ...(entry?.note ? { note: entry.note } : {}),
        ...(entry?.labelCoverage !== undefined ? { sampleCoverage: round(entry.labelCoverage) } : {}),
        functions: (entry?.kept ?? []).map((id) => {
          const candidate = byId.get(id) as CandidateFunction;
          return {
            id,
            source: candidate.source,
            origin: candidate.origin,
            strategy: candidate.strategy,
            ...(candidate.sampleDocs ? { sampleDocs: candidate.sampleDocs } : {}),
            sampleF1: round(scored.get(id)?.f1 ?? 0),
            ...(scored.get(id)?.exact !== undefined ? { sampleExact: round(scored.get(id)?.exact as number) } : {}),
          };
        }),
      };
    }),
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
