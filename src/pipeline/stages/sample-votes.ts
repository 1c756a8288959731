import type { AttributeSpec } from '../../core/attributes.ts';
import type { CorpusDocument } from '../../corpus/index.ts';
import type { CandidatesArtifact, SampleVotes } from '../../run/index.ts';
import { createSandbox } from '../../sandbox/index.ts';
import type { RunContext } from '../context.ts';
import { runStage } from '../stage.ts';

/** Every candidate run on every sample document, in the sandbox. */
export function sampleVotesStage(
  ctx: RunContext,
  sample: readonly CorpusDocument[],
  attributes: readonly AttributeSpec[],
  candidates: CandidatesArtifact,
): Promise<SampleVotes> {
  const { timeoutMs, startedAt } = ctx.settings;
  return runStage(ctx, { stage: 'sample-votes', artifact: 'sampleVotes', from: ['sample', 'candidates'], settings: { timeoutMs, startedAt } }, async () => {
    const votes: SampleVotes['votes'] = Object.fromEntries(attributes.map((attribute) => [attribute.name, {}]));
    const attributeOf = new Map(candidates.candidates.map((candidate) => [candidate.id, candidate.attribute]));
    const sandbox = await createSandbox(
      candidates.candidates.map(({ id, source }) => ({ id, source })),
      { now: startedAt, timeoutMs, ...(ctx.isolates ? { isolates: ctx.isolates } : {}) },
    );
    try {
      for await (const result of sandbox.run(sample)) {
        for (const [id, outcome] of Object.entries(result.outcomes)) {
          const byDoc = (votes[attributeOf.get(id) as string] ??= {});
          (byDoc[result.docId] ??= {})[id] = outcome;
        }
      }
      return { value: { votes, rejected: sandbox.rejected }, complete: true };
    } finally {
      await sandbox.close();
    }
  });
}
