/**
 * The chat completions wire format, shared by live requests and batch files: our request as an
 * API body, and an API reply checked and reduced to what we keep.
 */
import type { ChatRequest } from './types.ts';
import { estimateTextTokens, estimateTokens } from './estimate.ts';
import { MalformedReplyError } from './retry.ts';

export interface ChatCompletionBody {
  model: string;
  messages: ChatRequest['messages'];
  temperature?: number;
  /** `max_tokens` rather than `max_completion_tokens`: it is the one every compatible server accepts. */
  max_tokens?: number;
  stop?: string[];
  seed?: number;
}

export function chatCompletionBody(model: string, request: ChatRequest): ChatCompletionBody {
  const body: ChatCompletionBody = { model, messages: request.messages.map(({ role, content }) => ({ role, content })) };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  return body;
}

export interface ParsedReply {
  content: string;
  finishReason?: string;
  usage: { promptTokens: number; completionTokens: number };
  /** The reply carried no usage, so the counts are estimates. */
  usageEstimated: boolean;
}

/** Longer replies are refused: no prompt here asks for more than a few thousand tokens, and the cache keeps every reply. */
export const MAX_REPLY_CHARS = 200_000;

/** A reply over {@link MAX_REPLY_CHARS}: not retried (the same request would bring the same flood). */
export class ReplyTooLargeError extends Error {
  override name = 'ReplyTooLargeError';
  constructor(chars: number) {
    super(`the reply has ${chars} characters, over the ${MAX_REPLY_CHARS} accepted`);
  }
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

/**
 * Throws MalformedReplyError when the reply is not a chat completion with text content. Servers
 * that omit `usage` (some local ones do) get estimated counts, flagged as such.
 */
export function parseChatCompletion(reply: unknown, messages: ChatRequest['messages'], model: string): ParsedReply {
  // A server that labels its JSON text/html (or text/plain) hands the client a string: read it if it parses.
  if (typeof reply === 'string') reply = parseJsonText(reply);
  if (!isRecord(reply)) throw new MalformedReplyError(`expected a JSON object, got ${typeof reply}`);
  const choice = Array.isArray(reply['choices']) ? reply['choices'][0] : undefined;
  const message = isRecord(choice) ? choice['message'] : undefined;
  const content = isRecord(message) ? message['content'] : undefined;
  if (typeof content !== 'string') throw new MalformedReplyError('no choices[0].message.content string');
  if (content.length > MAX_REPLY_CHARS) throw new ReplyTooLargeError(content.length);

  const parsed: ParsedReply = { content, usage: { promptTokens: 0, completionTokens: 0 }, usageEstimated: false };
  const finish = isRecord(choice) ? choice['finish_reason'] : undefined;
  if (typeof finish === 'string') parsed.finishReason = finish;

  const usage = isRecord(reply['usage']) ? reply['usage'] : {};
  const promptTokens = count(usage['prompt_tokens']);
  const completionTokens = count(usage['completion_tokens']);
  if (promptTokens === undefined || completionTokens === undefined) {
    parsed.usageEstimated = true;
    parsed.usage = { promptTokens: estimateTokens(messages, model), completionTokens: estimateTextTokens(content) };
  } else {
    parsed.usage = { promptTokens, completionTokens };
  }
  return parsed;
}
