import { chunkView } from '../corpus/index.ts';
import type { CorpusDocument } from '../corpus/index.ts';
import type { ModelClient } from '../model/index.ts';
import { parseJsonReply } from '../prompting/replies.ts';
import { renderPrompt } from '../prompting/templates.ts';
import { attributeName, type DiscoveredAttribute } from './names.ts';
import { DEFAULTS } from '../core/settings.ts';

export interface ModelDiscoveryOptions {
  /** Most attributes to keep (default 20). */
  max?: number;
  /** Let the model re-rank the frequent attributes by usefulness (default true). */
  rerank?: boolean;
  chunkChars?: number;
}

/**
 * Open IE schema identification (METHOD.md, stage 3): the model lists `attribute: value` pairs for a chunk
 * of each sample document; names that do not occur in the document's text are dropped (the model made them
 * up); the rest are ranked by how many sample documents state them, and optionally re-ranked by the model.
 */
export async function discoverWithModel(
  sample: readonly CorpusDocument[],
  client: ModelClient,
  options: ModelDiscoveryOptions = {},
): Promise<{ attributes: DiscoveredAttribute[]; failedRequests: number }> {
  const max = options.max ?? DEFAULTS.maxAttributes;
  const chunkChars = options.chunkChars ?? DEFAULTS.chunkChars;
  const found = new Map<string, { docs: Set<string>; examples: string[] }>();
  let failedRequests = 0;
  await Promise.all(
    sample.map(async (doc) => {
      const chunk = chunkView(doc.view, { maxChars: chunkChars })[0]?.text ?? '';
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
        const entry = found.get(name) ?? { docs: new Set<string>(), examples: [] };
        entry.docs.add(doc.id);
        if (entry.examples.length < 3) entry.examples.push((match[2] as string).trim());
        found.set(name, entry);
      }
    }),
  );
  let ranked: DiscoveredAttribute[] = [...found]
    .map(([name, entry]) => ({ name, frequency: entry.docs.size, examples: entry.examples }))
    .sort((a, b) => b.frequency - a.frequency || (a.name < b.name ? -1 : 1));
  if ((options.rerank ?? true) && ranked.length > 1 && sample[0] !== undefined) {
    const reranked = await rerank(ranked.slice(0, 2 * max), sample[0], client, max, chunkChars);
    if (reranked === null) failedRequests++;
    else ranked = reranked;
  }
  return { attributes: ranked.slice(0, max), failedRequests };
}

async function rerank(
  ranked: DiscoveredAttribute[],
  doc: CorpusDocument,
  client: ModelClient,
  max: number,
  chunkChars: number,
): Promise<DiscoveredAttribute[] | null> {
  const listing = ranked.map((attribute) => `- ${attribute.name} (${attribute.frequency})`).join('\n');
  const chunk = chunkView(doc.view, { maxChars: chunkChars })[0]?.text ?? '';
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
