import type { AttributeSpec } from '../../core/attributes.ts';
import type { CorpusDocument } from '../../corpus/index.ts';
import { extractDirect } from '../../direct/index.ts';
import type { ModelClient } from '../../model/index.ts';
import type { PseudoLabels } from '../../run/index.ts';
import type { RunContext } from '../context.ts';
import { runStage, type Computed } from '../stage.ts';

/**
 * The model's direct answers on the sample: what candidate functions are scored against. None without a
 * model, or when only the built-in synthesizer runs (its candidates are then scored by agreement).
 */
export async function pseudoLabelStage(ctx: RunContext, sample: readonly CorpusDocument[], attributes: readonly AttributeSpec[]): Promise<PseudoLabels | null> {
  const client = ctx.client;
  if (client === null || ctx.settings.synth === 'builtin') return null;
  const { model, chunkChars } = ctx.settings;
  return runStage(
    ctx,
    { stage: 'pseudo-labels', artifact: 'pseudoLabels', from: ['sample', 'schema'], settings: { model, chunkChars }, prompts: ['direct-extract'] },
    () => {
      let done = 0;
      ctx.emit({ type: 'progress', stage: 'pseudo-labels', done, total: sample.length });
      return directOnSample(sample, attributes, client, chunkChars, () => ctx.emit({ type: 'progress', stage: 'pseudo-labels', done: ++done, total: sample.length }));
    },
  );
}

async function directOnSample(
  sample: readonly CorpusDocument[],
  attributes: readonly AttributeSpec[],
  client: ModelClient,
  chunkChars: number,
  onDocument: () => void,
): Promise<Computed<PseudoLabels>> {
  const labels: PseudoLabels = Object.fromEntries(attributes.map((attribute) => [attribute.name, {}]));
  let complete = true;
  await Promise.all(
    sample.map(async (doc) => {
      const result = await extractDirect(doc, attributes, client, { stage: 'pseudo-labels', chunkChars });
      onDocument();
      // Failed requests leave the stage unsaved, so a resumed run asks again; bad JSON and a reply cut even at the
      // largest budget are answers, kept as such.
      if (result.failures.some((failure) => failure.reason === 'request-failed' || failure.reason === 'pending')) complete = false;
      for (const [name, value] of Object.entries(result.values)) (labels[name] ??= {})[doc.id] = value;
    }),
  );
  return { value: labels, complete };
}
