import { RESERVED_NAMES, type AttributeSpec } from '../../core/attributes.ts';
import type { SchemaArtifact } from '../../run/index.ts';
import type { CorpusDocument } from '../../corpus/index.ts';
import { discoverAttributesBuiltin } from '../../schema/builtin.ts';
import { DISCOVERY_BUDGET_CHARS, discoverWithModel } from '../../schema/model.ts';
import type { RunContext } from '../context.ts';
import { ExtractError } from '../context.ts';
import { runStage } from '../stage.ts';

/** The attributes to extract: those named in the settings (closed IE), else discovered from the sample (open IE). */
export async function schemaStage(ctx: RunContext, sample: readonly CorpusDocument[]): Promise<SchemaArtifact> {
  const { attributes: named, maxAttributes, chunkChars, synth, model } = ctx.settings;
  const client = synth === 'builtin' ? null : ctx.client;
  const attributes = await runStage(
    ctx,
    {
      stage: 'schema',
      artifact: 'schema',
      from: named ? [] : ['sample'],
      settings: named ?? { maxAttributes, chunkChars, discoverer: client ? model : 'builtin', budgetChars: DISCOVERY_BUDGET_CHARS },
      prompts: named || !client ? [] : ['discover-attributes', 'rerank-attributes'],
    },
    async () => {
      if (named) return { value: named, complete: true };
      if (client === null) {
        return { value: discoverAttributesBuiltin([...sample], { max: maxAttributes }).filter((attribute) => !RESERVED_NAMES.has(attribute.name)), complete: true };
      }
      const found = await discoverWithModel(sample, client, { max: maxAttributes, chunkChars });
      found.attributes = found.attributes.filter((attribute) => !RESERVED_NAMES.has(attribute.name));
      ctx.emit({ type: 'notice', message: `Discovery showed the model ${found.chunks} chunk(s), ${found.chars} characters, of ${sample.length} sample document(s)` });
      if (found.failedRequests > 0) ctx.emit({ type: 'notice', message: `${found.failedRequests} attribute-discovery request(s) failed; a resumed run asks again` });
      // Saved only when whole: a rerun asks again for what failed (answers already received come from the cache).
      const complete = found.attributes.length > 0 && found.failedRequests === 0 && client.pending().length === 0;
      return { value: found.attributes, complete };
    },
  );
  return attributes;
}

/** Stop when there is nothing to extract: the model found nothing, or discovery is still waiting for answers. */
export function requireAttributes(attributes: readonly AttributeSpec[]): void {
  if (attributes.length === 0) {
    throw new ExtractError('no-attributes', 'No attributes found in the sample (see the notices above). Name the attributes to extract.', { settings: ['attributes'] });
  }
}
