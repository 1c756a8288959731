import { decideAbstention, findAbstainers, isMultiValued, pseudoLabelsFromAgreement, scoreFunctions, selectFunctions, voteKey } from '../../aggregate/index.ts';
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
  const { minF1, topK, method, attributes: named } = ctx.settings;
  return runStage(
    ctx,
    {
      stage: 'scoring',
      artifact: 'scores',
      from: ['candidates', 'sampleVotes', ...(pseudoLabels ? (['pseudoLabels'] as const) : [])],
      settings: { minF1, topK: keptPerAttribute(method, topK), mergeRepeats: named === null },
    },
    async () => {
      const scores = scoreCandidates(attributes, candidates, sampleVotes, pseudoLabels, { minF1, topK: keptPerAttribute(method, topK) });
      // Discovered attributes may be one fact under two labels; columns the user named are never merged.
      return { value: named === null ? mergeRepeatedColumns(attributes, scores, sampleVotes, pseudoLabels) : scores, complete: true };
    },
  );
}

function labelledDocs(labels: ReadonlyMap<string, readonly string[] | null>): string[] {
  return [...labels].filter(([, label]) => label !== null && voteKey(label) !== '').map(([doc]) => doc);
}

/** `code` is the best single function; code+ keeps the top k. */
function keptPerAttribute(method: Method, topK: number): number {
  return method === 'code' ? 1 : topK;
}

/** Share of the sample documents labelled for both whose labels must agree for one column to repeat another. */
const REPEAT_AGREEMENT = 0.8;

/**
 * Open IE: a discovered attribute whose sample labels are the same as an earlier-ranked one's (`directed_by` and
 * `director` on different sites, say) is the same column; it is marked merged and left out of the program.
 */
export function mergeRepeatedColumns(attributes: readonly AttributeSpec[], scores: Scores, sampleVotes: SampleVotes, pseudoLabels: PseudoLabels | null): Scores {
  const labelsOf = (name: string) =>
    pseudoLabels ? new Map(Object.entries(pseudoLabels[name] ?? {})) : pseudoLabelsFromAgreement(new Map(Object.entries(sampleVotes.votes[name] ?? {})));
  const labels = new Map(attributes.map((attribute) => [attribute.name, labelsOf(attribute.name)]));
  const kept: string[] = [];
  const result: Scores = { attributes: { ...scores.attributes } };
  for (const attribute of attributes) {
    const mine = labels.get(attribute.name) as Map<string, string[] | null>;
    const same = kept.find((earlier) => repeats(mine, labels.get(earlier) as Map<string, string[] | null>));
    const entry = result.attributes[attribute.name];
    if (same === undefined || entry === undefined) {
      kept.push(attribute.name);
      continue;
    }
    result.attributes[attribute.name] = { ...entry, kept: [], abstainers: [], mergedInto: same, note: `it has the same values as ${same} on the sample; merged into ${same}` };
  }
  return result;
}

function repeats(a: ReadonlyMap<string, string[] | null>, b: ReadonlyMap<string, string[] | null>): boolean {
  const shared = [...a].filter(([doc, value]) => value !== null && voteKey(value) !== '' && (b.get(doc) ?? null) !== null);
  if (shared.length < 2) return false;
  const agree = shared.filter(([doc, value]) => voteKey(value as string[]) === voteKey(b.get(doc) as string[])).length;
  return agree / shared.length >= REPEAT_AGREEMENT;
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
    const labels = pseudoLabels
      ? new Map(Object.entries(pseudoLabels[attribute.name] ?? {}))
      : pseudoLabelsFromAgreement(votes, attribute.multiple ? { multiple: true } : {});
    const multiple = attribute.multiple ?? isMultiValued(labels);
    const abstainOnEmpty = decideAbstention(labels);
    const abstainers = abstainOnEmpty ? new Set<string>() : findAbstainers(votes, labels);
    const scores = scoreFunctions(votes, labels, { abstainOnEmpty, abstainers, multiple }).filter((entry) => !rejected.has(entry.id));
    const chosen = selectFunctions(scores, selection);
    const compileFailures = candidates.candidates
      .filter((candidate) => candidate.attribute === attribute.name && rejected.has(candidate.id))
      .map((candidate) => ({ id: candidate.id, reason: `does not compile: ${rejected.get(candidate.id)}` }));
    const kept = chosen.kept.map((entry) => entry.id);
    result.attributes[attribute.name] = {
      abstainOnEmpty,
      abstainers: kept.filter((id) => abstainers.has(id)),
      pseudoLabelSource: pseudoLabels ? 'model' : 'agreement',
      ...(multiple ? { multiple } : {}),
      ...(labels.size ? { labelCoverage: labelledDocs(labels).length / labels.size, labelled: labelledDocs(labels) } : {}),
      scores,
      kept,
      dropped: [...chosen.dropped, ...compileFailures],
      ...(chosen.note ? { note: chosen.note } : {}),
    };
  }
  return result;
}
