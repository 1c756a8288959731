import { chunkView } from '../corpus/index.ts';
import type { CorpusDocument } from '../corpus/index.ts';
import type { ModelClient } from '../model/index.ts';
import { parseJsonReply } from '../prompting/replies.ts';
import { renderPrompt } from '../prompting/templates.ts';
import { attributeName, type DiscoveredAttribute } from './names.ts';
import { mergeSynonyms, type Sighting } from './synonyms.ts';
import { DEFAULTS } from '../core/settings.ts';

export interface ModelDiscoveryOptions {
  /** Most attributes to keep (default 20). */
  max?: number;
  /** Let the model re-rank the frequent attributes by usefulness (default true). */
  rerank?: boolean;
  chunkChars?: number;
  /** Characters of the sample shown, over all documents and chunks (default {@link DISCOVERY_BUDGET_CHARS}). */
  budgetChars?: number;
}

/**
 * What discovery may show the model: about 15k tokens over the sample, shared evenly between its documents and,
 * within a document, spent on the chunks that look most like fields first. Pages that open with thousands of
 * characters of navigation then still show the model their fields.
 */
export const DISCOVERY_BUDGET_CHARS = 60_000;

export interface ModelDiscovery {
  attributes: DiscoveredAttribute[];
  failedRequests: number;
  /** Chunks shown and their characters, for the run to report. */
  chunks: number;
  chars: number;
}

/**
 * Open IE schema identification (METHOD.md, stage 3): the model lists `attribute: value` pairs for the most
 * field-like chunks of each sample document, within a budget; names that do not occur in the document's text are
 * dropped (the model made them up); an attribute counts once per document; synonyms (same values under other
 * labels) are merged; the rest are ranked by how many sample documents state them, and optionally re-ranked.
 */
export async function discoverWithModel(sample: readonly CorpusDocument[], client: ModelClient, options: ModelDiscoveryOptions = {}): Promise<ModelDiscovery> {
  const max = options.max ?? DEFAULTS.maxAttributes;
  const chunkChars = options.chunkChars ?? DEFAULTS.chunkChars;
  const perDocument = Math.max(chunkChars, Math.floor((options.budgetChars ?? DISCOVERY_BUDGET_CHARS) / Math.max(1, sample.length)));
  const found = new Map<string, Sighting>();
  let failedRequests = 0;
  let chunks = 0;
  let chars = 0;
  const shown = sample.map((doc) => ({ doc, chunks: fieldChunks(doc, chunkChars, perDocument) }));
  await Promise.all(
    shown.flatMap(({ doc, chunks: texts }) =>
      texts.map(async (chunk) => {
        chunks++;
        chars += chunk.length;
        const outcome = await client.chat('schema', {
          messages: [{ role: 'user', content: renderPrompt('discover-attributes', { chunk, max: 2 * max }) }],
          temperature: 0,
          maxTokens: 768,
        });
        if (!outcome.ok) {
          failedRequests++;
          return;
        }
        const text = doc.view.toLowerCase();
        for (const line of outcome.content.split('\n')) {
          const match = /^\s*(?:[-*\d.)]+\s*)?([^:]{1,60}):\s*(.+)$/.exec(line);
          if (!match) continue;
          const name = attributeName(match[1] as string);
          if (name === '' || !text.includes(name.replace(/_/g, ' '))) continue;
          const value = (match[2] as string).trim();
          const sighting = found.get(name) ?? { name, values: new Map<string, string>(), examples: [] };
          if (!sighting.values.has(doc.id)) sighting.values.set(doc.id, value);
          if (sighting.examples.length < 3 && !sighting.examples.includes(value)) sighting.examples.push(value);
          found.set(name, sighting);
        }
      }),
    ),
  );
  // Requests finish in any order: rank from a fixed order of names so the result does not depend on timing.
  const ordered = [...found.values()].sort((a, b) => b.values.size - a.values.size || (a.name < b.name ? -1 : 1));
  let ranked = mergeSynonyms(ordered);
  const first = shown[0];
  if ((options.rerank ?? true) && ranked.length > 1 && first !== undefined && first.chunks[0] !== undefined) {
    const reranked = await rerank(ranked.slice(0, 2 * max), first.chunks[0], client, max);
    if (reranked === null) failedRequests++;
    else ranked = reranked;
  }
  return { attributes: ranked.slice(0, max), failedRequests, chunks, chars };
}

/** A document's chunks that look most like fields (label: value lines, label cells), up to `budget` characters, in document order. */
function fieldChunks(doc: CorpusDocument, chunkChars: number, budget: number): string[] {
  const all = chunkView(doc.view, { maxChars: chunkChars });
  const score = (text: string) =>
    (text.match(/^[^\n:<>]{1,40}:\s*\S/gm)?.length ?? 0) + (text.match(/<(?:dt|th|label)\b/g)?.length ?? 0) - 0.25 * (text.match(/<a\b/g)?.length ?? 0);
  const picked = new Set<number>();
  let used = 0;
  for (const chunk of [...all].sort((a, b) => score(b.text) - score(a.text) || a.index - b.index)) {
    if (picked.size > 0 && used + chunk.text.length > budget) continue;
    picked.add(chunk.index);
    used += chunk.text.length;
  }
  return all.filter((chunk) => picked.has(chunk.index)).map((chunk) => chunk.text);
}

async function rerank(ranked: DiscoveredAttribute[], chunk: string, client: ModelClient, max: number): Promise<DiscoveredAttribute[] | null> {
  // The examples show what each attribute holds across the sample, not only in the one chunk shown.
  const listing = ranked
    .map((attribute) => `- ${attribute.name} (${attribute.frequency})${attribute.examples.length ? `: ${attribute.examples.map((example) => example.slice(0, 60)).join(' | ')}` : ''}`)
    .join('\n');
  const outcome = await client.chat('schema', {
    messages: [{ role: 'user', content: renderPrompt('rerank-attributes', { attributes: listing, chunk, max }) }],
    temperature: 0,
    maxTokens: 512,
  });
  if (!outcome.ok) return null;
  const order = parseJsonReply(outcome.content);
  if (!Array.isArray(order)) return null;
  const byName = new Map(ranked.map((attribute) => [attribute.name, attribute]));
  const chosen = order.map((name) => byName.get(attributeName(String(name)))).filter((attribute) => attribute !== undefined);
  // The model may only reorder and drop; names it invents are ignored. An answer that keeps nothing is no answer.
  const kept = [...new Set(chosen)];
  return kept.length > 0 ? kept : null;
}
