/**
 * Token and cost estimates before spending. No tokenizer library is bundled, so token counts are a
 * documented approximation of byte-pair encoders such as OpenAI's cl100k/o200k:
 *   - text is split like their pre-tokenizers: letter runs (with one leading space), digit groups
 *     of up to 3, punctuation runs, whitespace runs;
 *   - a letter run costs one token per 5 letters, rounded up (common words are one token; long
 *     or rare words split);
 *   - a punctuation run costs one token per 2 characters, rounded up (markup like `</div>` splits);
 *   - a digit group or whitespace run costs one token (long whitespace runs one per 8 characters);
 *   - every message costs 4 tokens of framing, and the reply is primed with 3 more.
 * On English prose this lands near the usual 4 characters per token; on HTML and code it errs
 * high rather than low, which is the safe side for a spending estimate.
 */
import type { ChatRequest } from './types.ts';
import { costUsd, priceFor, type PriceTable } from './pricing.ts';

const PIECES = / ?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+|\s+/gu;
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMING = 3;

export function estimateTextTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(PIECES)) {
    const body = piece.trimStart();
    if (body === '') tokens += Math.ceil(piece.length / 8);
    else if (/^\p{L}/u.test(body)) tokens += Math.ceil(body.length / 5);
    else if (/^\p{N}/u.test(body)) tokens += 1;
    else tokens += Math.ceil(body.length / 2);
  }
  return tokens;
}

/**
 * Prompt tokens a chat request would cost. `model` is accepted so that a real tokenizer can be
 * chosen per model family later; today every model uses the approximation above.
 */
export function estimateTokens(messages: ChatRequest['messages'], _model: string): number {
  return messages.reduce((sum, m) => sum + MESSAGE_OVERHEAD + estimateTextTokens(m.content), REPLY_PRIMING);
}

export interface CostEstimate {
  requests: number;
  promptTokens: number;
  /** Upper bound from each request's maxTokens; null when some request sets none. */
  maxCompletionTokens: number | null;
  /** Prompt cost plus, when bounded, the completion cost at that bound; null when the price is unknown. */
  costUsd: number | null;
}

/** What sending these requests would cost at most, before any is sent. */
export function estimateCost(requests: ChatRequest[], model: string, prices?: PriceTable): CostEstimate {
  let promptTokens = 0;
  let maxCompletionTokens: number | null = 0;
  for (const request of requests) {
    promptTokens += estimateTokens(request.messages, model);
    maxCompletionTokens = maxCompletionTokens === null || request.maxTokens === undefined ? null : maxCompletionTokens + request.maxTokens;
  }
  const price = priceFor(model, prices);
  return {
    requests: requests.length,
    promptTokens,
    maxCompletionTokens,
    costUsd: price === null ? null : costUsd(price, promptTokens, maxCompletionTokens ?? 0),
  };
}
