import { chunkView, rankChunks } from '../corpus/index.ts';
import type { CorpusDocument } from '../corpus/index.ts';
import type { ModelClient } from '../model/index.ts';
import { attributeNotes } from '../prompting/attributes.ts';
import { renderPrompt, type PromptName } from '../prompting/templates.ts';
import { extractFunctionSource } from './code.ts';
import type { AttributeSpec } from '../core/attributes.ts';
import type { CandidateFunction, SynthesisFailure } from './types.ts';
import { DEFAULTS } from '../core/settings.ts';

export type { SynthesisFailure } from './types.ts';

export interface ModelSynthesisOptions {
  /** Candidates to ask for (default 20). */
  count?: number;
  /** Chunk budget in characters for the sample shown (default 3000). */
  chunkChars?: number;
  /**
   * Values the model found for this attribute per sample document (pseudo-labels): the chunk shown is then one
   * that holds the value, so the model sees what it is to extract and the label around it.
   */
  hints?: ReadonlyMap<string, readonly string[] | null>;
}

/** A request that gave no usable function, counted so the run can report it. */

const prompts: PromptName[] = ['function-zero-shot', 'function-examples'];

const htmlHelper =
  '`$` is a cheerio-style query function over the same HTML, parsed as a browser would (title and meta in <head>, ' +
  'the rest in <body>; for example `$("h1").first().text()`, ' +
  '`$("th:contains(Price)").next().text()`, `.attr(name)`, `.find()`, `.toArray()`); it is optional, and plain string ' +
  'and regular-expression code is often faster.';
const textHelper = 'Ignore the second parameter `$`; the documents are plain text.';

/**
 * Ask the model for candidate functions for one attribute: the two prompt styles alternate over the sample
 * documents, each shown its chunk most relevant to the attribute. Once every (prompt, document) pair is used,
 * further requests sample at a higher temperature with a distinct seed, so repeats are new functions rather
 * than cache hits.
 */
export async function synthesizeWithModel(
  attribute: AttributeSpec,
  sample: readonly CorpusDocument[],
  client: ModelClient,
  options: ModelSynthesisOptions = {},
): Promise<{ candidates: CandidateFunction[]; failures: SynthesisFailure[] }> {
  const count = options.count ?? DEFAULTS.functionsPerAttribute;
  if (sample.length === 0 || count <= 0) return { candidates: [], failures: [] };
  const pairs = prompts.length * sample.length;
  const replies = await Promise.all(
    Array.from({ length: count }, async (_, request) => {
      const prompt = prompts[request % prompts.length] as PromptName;
      const doc = sample[Math.floor(request / prompts.length) % sample.length] as CorpusDocument;
      const chunk = pickChunk(doc, attribute, options.chunkChars ?? DEFAULTS.chunkChars, options.hints?.get(doc.id) ?? null);
      const content = renderPrompt(prompt, {
        attribute: attribute.name,
        description: attributeNotes(attribute),
        chunk: chunk?.text ?? '',
        helper: doc.format === 'html' ? htmlHelper : textHelper,
      });
      const repeat = request >= pairs;
      const outcome = await client.chat('synthesis', {
        messages: [{ role: 'user', content }],
        temperature: repeat ? 0.7 : 0,
        maxTokens: 1024,
        ...(repeat ? { seed: request } : {}),
      });
      return { request, prompt, doc, outcome };
    }),
  );

  const candidates: CandidateFunction[] = [];
  const failures: SynthesisFailure[] = [];
  for (const { request, prompt, doc, outcome } of replies) {
    if (!outcome.ok) {
      failures.push({ attribute: attribute.name, request, reason: outcome.kind === 'pending' ? 'pending' : 'request-failed', detail: outcome.error });
      continue;
    }
    if (outcome.finishReason === 'length') {
      // Cut at the token limit: whatever code there is ends mid-function.
      failures.push({ attribute: attribute.name, request, reason: 'truncated', detail: 'the reply hit the token limit' });
      continue;
    }
    if (outcome.content.trim() === '') {
      failures.push({ attribute: attribute.name, request, reason: 'empty-reply', detail: 'the model returned no text' });
      continue;
    }
    const source = extractFunctionSource(outcome.content);
    if (source === null) {
      failures.push({ attribute: attribute.name, request, reason: 'no-code', detail: outcome.content.slice(0, 200) });
      continue;
    }
    candidates.push({ id: `${attribute.name}-m${request + 1}`, attribute: attribute.name, source, origin: 'model', strategy: prompt, sampleDocs: [doc.id] });
  }
  return { candidates, failures };
}

function pickChunk(doc: CorpusDocument, attribute: AttributeSpec, chunkChars: number, hint: readonly string[] | null) {
  const ranked = rankChunks(chunkView(doc.view, { maxChars: chunkChars }), attribute.name, attribute.description);
  return (hint && ranked.find((chunk) => hint.some((value) => chunk.text.includes(value)))) || ranked[0];
}
