import { chunkView, rankChunks } from '../corpus/index.ts';
import type { CorpusDocument } from '../corpus/index.ts';
import type { ModelClient } from '../model/index.ts';
import { attributeList } from '../prompting/attributes.ts';
import { parseJsonReply } from '../prompting/replies.ts';
import { renderPrompt } from '../prompting/templates.ts';
import type { AttributeSpec } from '../core/attributes.ts';
import type { CellValue } from '../core/cells.ts';
import { DEFAULTS } from '../core/settings.ts';

export interface DirectResult {
  /** Attributes the model answered for; an attribute whose request failed is absent (unknown), not null. */
  values: Record<string, CellValue>;
  /** `truncated`: the reply stayed cut at the token limit for one attribute at the largest budget; an answer, without a value. */
  failures: { attributes: string[]; reason: 'request-failed' | 'pending' | 'bad-json' | 'truncated'; detail: string }[];
}

export interface DirectOptions {
  /** Usage is booked under this stage name ('pseudo-labels' on the sample, 'direct' over a corpus). */
  stage: string;
  chunkChars?: number;
  /** Chunks asked about per attribute at most, best-ranked first, while the answer is null (default 3). */
  maxChunks?: number;
}

/**
 * Ask the model for the attributes' values in one document. Each attribute is asked about in its most
 * relevant chunk, and attributes sharing a chunk share one request; an attribute the chunk did not answer is
 * asked about again in its next-ranked chunk, since labels vary and the ranking only guesses where a value is.
 */
export async function extractDirect(
  doc: CorpusDocument,
  attributes: readonly AttributeSpec[],
  client: ModelClient,
  options: DirectOptions,
): Promise<DirectResult> {
  const chunks = chunkView(doc.view, { maxChars: options.chunkChars ?? DEFAULTS.chunkChars });
  const ranked = new Map(attributes.map((attribute) => [attribute.name, rankChunks(chunks, attribute.name, attribute.description).map((chunk) => chunk.index)]));
  const result: DirectResult = { values: {}, failures: [] };
  let open = [...attributes];
  for (let round = 0; round < (options.maxChunks ?? 3) && open.length > 0; round++) {
    const groups = new Map<number, AttributeSpec[]>();
    for (const attribute of open) {
      const index = ranked.get(attribute.name)?.[round];
      if (index !== undefined) groups.set(index, [...(groups.get(index) ?? []), attribute]);
    }
    if (groups.size === 0) break;
    await Promise.all([...groups].map(([index, group]) => askChunk(chunks[index]?.text ?? '', group, client, options.stage, result)));
    open = open.filter((attribute) => result.values[attribute.name] === null);
  }
  return result;
}

/** Completion budget of a direct-extraction reply, and the most it is raised to when a reply is cut. */
const MAX_TOKENS = 512;
const MAX_TOKENS_CAP = 2048;

async function askChunk(chunk: string, group: AttributeSpec[], client: ModelClient, stage: string, result: DirectResult, maxTokens = MAX_TOKENS): Promise<void> {
  const names = group.map((attribute) => attribute.name);
  const content = renderPrompt('direct-extract', { attributes: attributeList(group), chunk });
  const outcome = await client.chat(stage, { messages: [{ role: 'user', content }], temperature: 0, maxTokens });
  if (!outcome.ok) {
    result.failures.push({ attributes: names, reason: outcome.kind === 'pending' ? 'pending' : 'request-failed', detail: outcome.error });
    return;
  }
  // A reply cut at the token limit is not an answer: asking the same again gives the same cut, so ask for fewer
  // attributes at once, and for one alone, allow a longer reply.
  if (outcome.finishReason === 'length') {
    if (group.length > 1) {
      const half = Math.ceil(group.length / 2);
      await Promise.all([group.slice(0, half), group.slice(half)].map((part) => askChunk(chunk, part, client, stage, result, maxTokens)));
    } else if (maxTokens < MAX_TOKENS_CAP) {
      await askChunk(chunk, group, client, stage, result, Math.min(MAX_TOKENS_CAP, maxTokens * 2));
    } else {
      result.failures.push({ attributes: names, reason: 'truncated', detail: `the reply hit the ${maxTokens}-token limit` });
    }
    return;
  }
  const answer = parseJsonReply(outcome.content);
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    result.failures.push({ attributes: names, reason: 'bad-json', detail: outcome.content.slice(0, 200) });
    return;
  }
  for (const name of names) result.values[name] = toCell((answer as Record<string, unknown>)[name]);
}

/** A model's JSON value as a cell: strings and numbers kept, lists flattened, "no value" spellings as null. */
export function toCell(value: unknown): CellValue {
  const items = (Array.isArray(value) ? value : [value])
    .filter((item) => typeof item === 'string' || typeof item === 'number')
    .map((item) => String(item).replace(/\s+/g, ' ').trim())
    .filter((item) => item !== '' && !/^(?:null|none|n\/?a|unknown|not (?:stated|given|found|available))$/i.test(item));
  return items.length > 0 ? items : null;
}
