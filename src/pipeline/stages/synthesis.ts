import type { AttributeSpec } from '../../core/attributes.ts';
import type { CorpusDocument } from '../../corpus/index.ts';
import type { CandidatesArtifact, PseudoLabels } from '../../run/index.ts';
import { synthesizeBuiltin } from '../../synthesis/builtin/index.ts';
import { dedupeKey } from '../../synthesis/code.ts';
import { synthesizeWithModel } from '../../synthesis/model.ts';
import type { CandidateFunction, SynthesisFailure } from '../../synthesis/types.ts';
import type { RunContext } from '../context.ts';
import { runStage } from '../stage.ts';

/** Candidate functions for every attribute, from the built-in rules, the model, or both; exact duplicates dropped. */
export async function synthesisStage(
  ctx: RunContext,
  sample: readonly CorpusDocument[],
  attributes: readonly AttributeSpec[],
  pseudoLabels: PseudoLabels | null,
): Promise<CandidatesArtifact> {
  const { synth, model, functionsPerAttribute, chunkChars } = ctx.settings;
  const client = synth === 'builtin' ? null : ctx.client;
  return runStage(
    ctx,
    {
      stage: 'synthesis',
      artifact: 'candidates',
      from: ['sample', 'schema', ...(pseudoLabels ? (['pseudoLabels'] as const) : [])],
      settings: { synth, ...(client ? { model, functionsPerAttribute, chunkChars } : {}) },
      prompts: client ? ['function-zero-shot', 'function-examples'] : [],
    },
    async () => {
      const all: CandidateFunction[] = [];
      const failures: SynthesisFailure[] = [];
      if (synth !== 'model') for (const attribute of attributes) all.push(...synthesizeBuiltin(attribute, [...sample]));
      if (client) {
        let done = 0;
        const progress = () => ctx.emit({ type: 'progress', stage: 'synthesis', done, total: attributes.length, unit: 'attributes' });
        progress();
        const perAttribute = await Promise.all(
          attributes.map(async (attribute) => {
            const result = await synthesizeWithModel(attribute, sample, client, {
              count: functionsPerAttribute,
              chunkChars,
              ...(pseudoLabels ? { hints: new Map(Object.entries(pseudoLabels[attribute.name] ?? {})) } : {}),
            });
            done++;
            progress();
            return result;
          }),
        );
        for (const result of perAttribute) {
          all.push(...result.candidates);
          failures.push(...result.failures);
        }
      }
      const candidates = dropDuplicates(all);
      return {
        value: { candidates, failures, duplicates: all.length - candidates.length },
        complete: !failures.some((failure) => failure.reason === 'pending' || failure.reason === 'request-failed'),
      };
    },
  );
}

/** Exact duplicates cost a sandbox run and count twice in a vote; keep the first of each. */
function dropDuplicates(all: readonly CandidateFunction[]): CandidateFunction[] {
  const seen = new Set<string>();
  return all.filter((candidate) => {
    const key = `${candidate.attribute}\u0000${dedupeKey(candidate.source)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
