/**
 * Batch files in the OpenAI Batch API format. A run in batch mode writes the calls it still needs
 * as an input file; the file is answered by the Batch API (at its discount), by hand, or by any
 * other means; importing the output file puts the answers in the cache, where the next run finds
 * them. The `custom_id` of each line is the call's cache key, which is what ties answers back.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { callCache, cacheEntry, isCacheKey } from './cache.ts';
import { MalformedReplyError } from './retry.ts';
import { parseChatCompletion, type ChatCompletionBody } from './wire.ts';

export interface BatchRequestLine {
  /** The call's cache key. */
  custom_id: string;
  method: 'POST';
  url: '/v1/chat/completions';
  body: ChatCompletionBody;
}

export function batchRequestLine(key: string, body: ChatCompletionBody): BatchRequestLine {
  return { custom_id: key, method: 'POST', url: '/v1/chat/completions', body };
}

/** Writes the input file atomically, so a file that exists is complete. */
export async function writeBatchFile(filePath: string, lines: BatchRequestLine[]): Promise<void> {
  await writeFileAtomic(filePath, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}

export interface BatchImportResult {
  /** Answers written to the cache. */
  imported: number;
  /** Lines for our calls that carry an error instead of a usable answer; those calls stay unanswered. */
  failed: number;
  /** Lines that are not JSON or whose custom_id is not a call key: not ours, ignored. */
  unknown: number;
  failures: { customId: string; error: string }[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a Batch API output line has no usable answer, or null when it has one. */
function lineError(line: Record<string, unknown>): string | null {
  const error = line['error'];
  if (isRecord(error)) return `${String(error['code'] ?? 'error')}: ${String(error['message'] ?? '')}`.trim();
  const response = line['response'];
  if (!isRecord(response)) return 'no response';
  const status = response['status_code'];
  if (status !== 200) {
    const body = response['body'];
    const message = isRecord(body) && isRecord(body['error']) ? String(body['error']['message'] ?? '') : '';
    return `HTTP ${String(status)}${message ? `: ${message}` : ''}`;
  }
  return null;
}

/**
 * Reads a Batch API output file (JSONL: `custom_id`, `response: { status_code, body }`, `error`)
 * and caches every successful answer (in the shared cache too, when one is given). Answers without
 * usage get estimated completion counts.
 */
export async function importBatchOutput(filePath: string, cacheDir: string, sharedCacheDir: string | null = null): Promise<BatchImportResult> {
  const cache = callCache(cacheDir, sharedCacheDir);
  const result: BatchImportResult = { imported: 0, failed: 0, unknown: 0, failures: [] };
  const text = await readFile(filePath, 'utf8');
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      result.unknown++;
      continue;
    }
    const customId = isRecord(line) ? line['custom_id'] : undefined;
    if (!isRecord(line) || typeof customId !== 'string' || !isCacheKey(customId)) {
      result.unknown++;
      continue;
    }
    const fail = (error: string): void => {
      result.failed++;
      result.failures.push({ customId, error });
    };
    const error = lineError(line);
    if (error !== null) {
      fail(error);
      continue;
    }
    const body = (line['response'] as Record<string, unknown>)['body'];
    try {
      const model = isRecord(body) && typeof body['model'] === 'string' ? body['model'] : '';
      const reply = parseChatCompletion(body, [], model);
      await cache.write(cacheEntry(customId, model, reply, 'batch'));
      result.imported++;
    } catch (cause) {
      if (!(cause instanceof MalformedReplyError)) throw cause;
      fail(cause.message);
    }
  }
  return result;
}
