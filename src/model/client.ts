/**
 * The model client every stage talks to. A call is answered from the cache when it can be;
 * otherwise, in live mode, it is sent through the `openai` client under a shared concurrency limit
 * with retries, and its reply is cached; in batch mode it is recorded as pending for a batch file.
 * Per-request failures come back as outcomes, never as exceptions, so one bad call costs one unit
 * of work (that candidate, that sample document) and the run goes on.
 */
import OpenAI from 'openai';
import { batchRequestLine, type BatchRequestLine } from './batch.ts';
import { callCache, cacheEntry, cacheKey, replyFromEntry } from './cache.ts';
import { createLimiter } from './limiter.ts';
import { AttemptTimeoutError, classifyFailure, retryDelayMs, type AttemptFailure } from './retry.ts';
import { withDefaults, type ModelSettings } from './settings.ts';
import type { ChatOutcome, ChatRequest, ModelEvent } from './types.ts';
import { createUsageLedger, type UsageReport } from './usage.ts';
import { chatCompletionBody, parseChatCompletion, type ParsedReply } from './wire.ts';

export interface ModelClient {
  chat(stage: string, request: ChatRequest): Promise<ChatOutcome>;
  /** Per stage and in total; actual and cached tokens apart. */
  usage(): UsageReport;
  /** Requests recorded in batch mode, one per distinct call, for writeBatchFile. */
  pending(): BatchRequestLine[];
  /** Live requests holding a concurrency slot (sending, or waiting to retry). */
  inFlight(): number;
}

export interface ModelClientOptions {
  /** Directory of the call cache (usually inside the run directory). */
  cacheDir: string;
  /** A cache shared between runs, read on a miss and written with every answer; null or absent: none. */
  sharedCacheDir?: string | null;
  /** 'batch' never sends a request: cache misses become pending lines. Default 'live'. */
  mode?: 'live' | 'batch';
  onEvent?: (event: ModelEvent) => void;
}

/** Local servers ignore the key, but the `openai` client refuses to start without one. */
const PLACEHOLDER_KEY = 'no-key-configured';

/** What resolving a call produced, before it is attributed to the caller(s) that asked. */
type Resolution =
  | { kind: 'answer'; reply: ParsedReply; fromCache: boolean }
  | { kind: 'failed'; error: string; status?: number }
  | { kind: 'pending' };

export function createOpenAI(settings: ModelSettings, timeoutMs: number): OpenAI {
  return new OpenAI({
    apiKey: settings.apiKey ?? PLACEHOLDER_KEY,
    baseURL: settings.baseURL ?? null,
    timeout: timeoutMs,
    maxRetries: 0, // retries are ours: backoff must be tunable and cover malformed replies too
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createModelClient(settings: ModelSettings, options: ModelClientOptions): ModelClient {
  const config = withDefaults(settings);
  const { mode = 'live' } = options;
  const cache = callCache(options.cacheDir, options.sharedCacheDir ?? null);
  const emit = options.onEvent ?? (() => {});
  const openai = createOpenAI(settings, config.timeoutMs);
  const limiter = createLimiter(config.concurrency);
  const ledger = createUsageLedger(config.model, config.prices);
  const inflight = new Map<string, Promise<Resolution>>();
  const pendingLines = new Map<string, BatchRequestLine>();

  async function attemptOnce(request: ChatRequest): Promise<ParsedReply> {
    // The client's own timeout stops at the response headers; this deadline also covers the body.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.timeoutMs);
    try {
      const reply: unknown = await openai.chat.completions.create(chatCompletionBody(config.model, request), { signal: controller.signal });
      return parseChatCompletion(reply, request.messages, config.model);
    } catch (error) {
      throw controller.signal.aborted ? new AttemptTimeoutError(config.timeoutMs) : error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function sendLive(stage: string, key: string, request: ChatRequest): Promise<Resolution> {
    for (let attempt = 0; ; attempt++) {
      emit({ type: 'attempt', stage, key, attempt });
      ledger.attempt(stage);
      let failure: AttemptFailure;
      try {
        const reply = await attemptOnce(request);
        emit({ type: 'received', stage, key });
        return { kind: 'answer', reply, fromCache: false };
      } catch (error) {
        failure = classifyFailure(error);
      }
      if (!failure.retryable || attempt === config.maxRetries) {
        const why = failure.retryable ? `gave up after ${attempt + 1} attempts` : 'not retryable';
        const resolution: Resolution = { kind: 'failed', error: `${failure.message} (${why})` };
        if (failure.status !== undefined) resolution.status = failure.status;
        return resolution;
      }
      const delayMs = retryDelayMs(attempt, failure, config);
      emit({ type: 'retry', stage, key, attempt, delayMs, reason: failure.message });
      await sleep(delayMs);
    }
  }

  async function resolve(stage: string, key: string, request: ChatRequest): Promise<Resolution> {
    const entry = await cache.read(key);
    if (entry) return { kind: 'answer', reply: replyFromEntry(entry), fromCache: true };
    if (mode === 'batch') {
      pendingLines.set(key, batchRequestLine(key, chatCompletionBody(config.model, request)));
      return { kind: 'pending' };
    }
    const resolution = await limiter.run(() => sendLive(stage, key, request));
    if (resolution.kind === 'answer') await cache.write(cacheEntry(key, config.model, resolution.reply, 'live'));
    return resolution;
  }

  async function chat(stage: string, request: ChatRequest): Promise<ChatOutcome> {
    const key = cacheKey(config.model, request);
    let shared = inflight.get(key);
    const joined = shared !== undefined;
    if (shared === undefined) {
      shared = resolve(stage, key, request).finally(() => inflight.delete(key));
      inflight.set(key, shared);
    }
    const resolution = await shared;

    if (resolution.kind === 'pending') {
      ledger.record(stage, { kind: 'pending' });
      emit({ type: 'pending', stage, key });
      return { ok: false, kind: 'pending', error: 'waiting for a batch answer' };
    }
    if (resolution.kind === 'failed') {
      ledger.record(stage, { kind: 'failed' });
      emit({ type: 'failed', stage, key, error: resolution.error });
      const outcome: ChatOutcome = { ok: false, kind: 'failed', error: resolution.error };
      if (resolution.status !== undefined) outcome.status = resolution.status;
      return outcome;
    }
    const { reply } = resolution;
    const cached = resolution.fromCache || joined;
    const truncated = reply.finishReason === 'length';
    ledger.record(stage, cached ? { kind: 'cached', ...reply.usage, truncated } : { kind: 'live', ...reply.usage, estimated: reply.usageEstimated, truncated });
    emit(cached ? { type: 'answered', stage, key, cached } : { type: 'answered', stage, key, cached, usage: { ...reply.usage } });
    const outcome: ChatOutcome = { ok: true, content: reply.content, cached, usage: { ...reply.usage } };
    if (reply.finishReason !== undefined) outcome.finishReason = reply.finishReason;
    return outcome;
  }

  return {
    chat,
    usage: () => ledger.report(),
    pending: () => [...pendingLines.values()],
    inFlight: () => limiter.active(),
  };
}
