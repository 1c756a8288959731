/**
 * Which failed attempts are worth repeating, and how long to wait first. Rate limits, server
 * errors, lost connections, timeouts and unreadable replies are transient; a rejected request
 * (400, 401, 403, 404, 422) would fail the same way again.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

/** The endpoint answered 200 with something that is not a chat completion. */
export class MalformedReplyError extends Error {
  constructor(detail: string) {
    super(`malformed reply: ${detail}`);
    this.name = 'MalformedReplyError';
  }
}

/** Our own per-attempt deadline fired (it also covers reading the body, which the client's timeout does not). */
export class AttemptTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

export interface AttemptFailure {
  retryable: boolean;
  /** One line for logs and failed outcomes. */
  message: string;
  status?: number;
  /** Server-requested wait before retrying, from `retry-after-ms` or `Retry-After`. */
  retryAfterMs?: number;
}

const RETRYABLE_STATUS = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const header = headers?.get('retry-after');
  if (!header) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyFailure(error: unknown): AttemptFailure {
  if (error instanceof AttemptTimeoutError || error instanceof APIConnectionTimeoutError) {
    return { retryable: true, message: error instanceof AttemptTimeoutError ? error.message : 'timed out' };
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { retryable: true, message: `connection error${cause}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const failure: AttemptFailure = { retryable: RETRYABLE_STATUS(error.status), status: error.status, message: oneLine(error.message) };
    const wait = retryAfterMs(error.headers);
    if (wait !== undefined) failure.retryAfterMs = wait;
    return failure;
  }
  if (error instanceof MalformedReplyError) return { retryable: true, message: error.message };
  if (error instanceof SyntaxError) return { retryable: true, message: `malformed reply: ${oneLine(error.message)}` };
  return { retryable: false, message: oneLine(error instanceof Error ? error.message : String(error)) };
}

/**
 * Exponential backoff with full jitter (a uniform draw below base * 2^retry, capped), so many
 * concurrent requests hitting the same rate limit do not retry in lockstep. A server's Retry-After
 * takes precedence, up to the same cap.
 */
export function retryDelayMs(
  retry: number,
  failure: AttemptFailure,
  policy: { retryBaseDelayMs: number; retryMaxDelayMs: number },
  random: () => number = Math.random,
): number {
  if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, policy.retryMaxDelayMs);
  return Math.floor(random() * Math.min(policy.retryMaxDelayMs, policy.retryBaseDelayMs * 2 ** retry));
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
