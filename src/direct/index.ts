import { chunkView, rankChunks } from '../corpus/index.ts';
import type { CorpusDocument } from '../corpus/index.ts';
import type { ModelClient } from '../model/index.ts';
import { attributeList } from '../prompting/attributes.ts';
import { parseJsonReply } from '../prompting/replies.ts';
import { renderPrompt } from '../prompting/templates.ts';
import type { AttributeSpec } from '../synthesis/types.ts';

/** A value as a table cell holds it: one or more strings, or null for "the document does not state it". */
export type CellValue = string[] | null;

export interface DirectResult {
  /** Attributes the model answered for; an attribute whose request failed is absent (unknown), not null. */
  values: Record<string, CellValue>;
  failures: { attributes: string[]; reason: 'request-failed' | 'pending' | 'bad-json'; detail: string }[];
}

export interface DirectOptions {
  /** Usage is booked under this stage name ('pseudo-labels' on the sample, 'direct' over a corpus). */
  stage: string;
  chunkChars?: number;
}

/**
 * Ask the model for the attributes' values in one document. Each attribute is asked about in its most
 * relevant chunk; attributes sharing a chunk share one request.
 */
export async function extractDirect(
  doc: CorpusDocument,
  attributes: readonly AttributeSpec[],
  client: ModelClient,
  options: DirectOptions,
): Promise<DirectResult> {
  const chunks = chunkView(doc.view, { maxChars: options.chunkChars ?? 3000 });
  const groups = new Map<number, AttributeSpec[]>();
  for (const attribute of attributes) {
    const best = rankChunks(chunks, attribute.name, attribute.description)[0]?.index ?? 0;
    groups.set(best, [...(groups.get(best) ?? []), attribute]);
  }
  const result: DirectResult = { values: {}, failures: [] };
  await Promise.all(
    [...groups].map(async ([index, group]) => {
      const names = group.map((attribute) => attribute.name);
      const content = renderPrompt('direct-extract', { attributes: attributeList(group), chunk: chunks[index]?.text ?? '' });
      const outcome = await client.chat(options.stage, { messages: [{ role: 'user', content }], temperature: 0, maxTokens: 512 });
      if (!outcome.ok) {
        result.failures.push({ attributes: names, reason: outcome.kind === 'pending' ? 'pending' : 'request-failed', detail: outcome.error });
        return;
      }
      const answer = parseJsonReply(outcome.content);
      if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
        result.failures.push({ attributes: names, reason: 'bad-json', detail: outcome.content.slice(0, 200) });
        return;
      }
      for (const name of names) result.values[name] = toCell((answer as Record<string, unknown>)[name]);
    }),
  );
  return result;
}

/** A model's JSON value as a cell: strings and numbers kept, lists flattened, "no value" spellings as null. */
export function toCell(value: unknown): CellValue {
  const items = (Array.isArray(value) ? value : [value])
    .filter((item) => typeof item === 'string' || typeof item === 'number')
    .map((item) => String(item).replace(/\s+/g, ' ').trim())
    .filter((item) => item !== '' && !/^(?:null|none|n\/?a|unknown|not (?:stated|given|found|available))$/i.test(item));
  return items.length > 0 ? items : null;
}
