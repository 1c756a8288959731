import { decideAbstention, findAbstainers, pseudoLabelsFromAgreement, scoreFunctions, selectFunctions } from '../../aggregate/index.ts';
import type { AttributeSpec } from '../../core/attributes.ts';
import type { Method } from '../../core/settings.ts';
import type { CandidatesArtifact, PseudoLabels, SampleVotes, Scores } from '../../run/index.ts';
import type { RunContext } from '../context.ts';
import { runStage } from '../stage.ts';

/** Score every candidate against the pseudo-labels on the sample (or their agreement), and keep the best. */
export function scoreStage(
  ctx: RunContext,
  attributes: readonly AttributeSpec[],
  candidates: CandidatesArtifact,
  sampleVotes: SampleVotes,
  pseudoLabels: PseudoLabels | null,
): Promise<Scores> {
  const { minF1, topK, method } = ctx.settings;
  return runStage(
    ctx,
    {
      stage: 'scoring',
      artifact: 'scores',
      from: ['candidates', 'sampleVotes', ...(pseudoLabels ? (['pseudoLabels'] as const) : [])],
      settings: { minF1, topK: keptPerAttribute(method, topK) },
    },
    async () => ({ value: scoreCandidates(attributes, candidates, sampleVotes, pseudoLabels, { minF1, topK: keptPerAttribute(method, topK) }), complete: true }),
  );
}

/** `code` is the best single function; code+ keeps the top k. */
function keptPerAttribute(method: Method, topK: number): number {
  return method === 'code' ? 1 : topK;
}

export function scoreCandidates(
  attributes: readonly AttributeSpec[],
  candidates: CandidatesArtifact,
  sampleVotes: SampleVotes,
  pseudoLabels: PseudoLabels | null,
  selection: { minF1: number; topK: number },
): Scores {
  const rejected = new Map(sampleVotes.rejected.map((entry) => [entry.id, entry.error]));
  const result: Scores = { attributes: {} };
  for (const attribute of attributes) {
    const votes = new Map(Object.entries(sampleVotes.votes[attribute.name] ?? {}));
    const labels = pseudoLabels ? new Map(Object.entries(pseudoLabels[attribute.name] ?? {})) : pseudoLabelsFromAgreement(votes);
    const abstainOnEmpty = decideAbstention(labels);
    const abstainers = abstainOnEmpty ? new Set<string>() : findAbstainers(votes, labels);
    const scores = scoreFunctions(votes, labels, { abstainOnEmpty, abstainers }).filter((entry) => !rejected.has(entry.id));
    const chosen = selectFunctions(scores, selection);
    const compileFailures = candidates.candidates
      .filter((candidate) => candidate.attribute === attribute.name && rejected.has(candidate.id))
      .map((candidate) => ({ id: candidate.id, reason: `does not compile: ${rejected.get(candidate.id)}` }));
    const kept = chosen.kept.map((entry) => entry.id);
    result.attributes[attribute.name] = {
      abstainOnEmpty,
      abstainers: kept.filter((id) => abstainers.has(id)),
      pseudoLabelSource: pseudoLabels ? 'model' : 'agreement',
      scores,
      kept,
      dropped: [...chosen.dropped, ...compileFailures],
      ...(chosen.note ? { note: chosen.note } : {}),
    };
  }
  return result;
}
