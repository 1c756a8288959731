import type { AttributeSpec } from '../../core/attributes.ts';
import type { RunSettings } from '../../core/settings.ts';
import { clusterLayouts, encodeSignature, layoutSignature, type CorpusDocument } from '../../corpus/index.ts';
import { layoutSilences } from '../../aggregate/index.ts';
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
  const signatures = sample.map((doc) => ({ id: doc.id, signature: layoutSignature(doc) }));
  const layoutOf = new Map(clusterLayouts(signatures).flatMap((layout) => layout.docs.map((doc) => [doc, layout.id] as const)));
  return {
    version: 1,
    method: settings.method === 'code' ? 'code' : settings.aggregation,
    now: settings.startedAt,
    library: LIBRARY_VERSION,
    ...(sample.length ? { sampleLayouts: signatures.map(({ id, signature }) => ({ doc: id, signature: encodeSignature(signature), layout: layoutOf.get(id) as string })) } : {}),
    // An attribute merged into another (open IE) is not a column of its own.
    attributes: attributes.filter((attribute) => scores.attributes[attribute.name]?.mergedInto === undefined).map((attribute): ProgramAttribute => {
      const entry = scores.attributes[attribute.name];
      const scored = new Map((entry?.scores ?? []).map((score) => [score.id, score]));
      const kept = entry?.kept ?? [];
      const silences = layoutSilences(layoutOf, entry?.labelled ?? [], kept.map((id) => ({ id, ...(scored.get(id)?.hits ? { hits: scored.get(id)?.hits } : {}) })));
      return {
        name: attribute.name,
        ...(attribute.description ? { description: attribute.description } : {}),
        ...(attribute.form ? { form: attribute.form } : {}),
        ...(entry?.multiple ? { multiple: true } : {}),
        abstainOnEmpty: entry?.abstainOnEmpty ?? true,
        ...(entry?.abstainers.length ? { abstainers: entry.abstainers } : {}),
        ...(entry?.note ? { note: entry.note } : {}),
        ...(entry?.labelCoverage !== undefined ? { sampleCoverage: round(entry.labelCoverage) } : {}),
        functions: kept.map((id) => {
          const candidate = byId.get(id) as CandidateFunction;
          return {
            id,
            source: candidate.source,
            origin: candidate.origin,
            strategy: candidate.strategy,
            ...(candidate.sampleDocs ? { sampleDocs: candidate.sampleDocs } : {}),
            sampleF1: round(scored.get(id)?.f1 ?? 0),
            ...(scored.get(id)?.exact !== undefined ? { sampleExact: round(scored.get(id)?.exact as number) } : {}),
            ...(silences.has(id) ? { silentOn: silences.get(id) } : {}),
          };
        }),
      };
    }),
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
