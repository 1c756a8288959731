/**
 * The call cache: one JSON file per completed call, named by the call's key, written to a temp
 * file and renamed into place so a killed process leaves either the whole entry or none. An entry
 * that cannot be read or does not validate is treated as absent, and the call is made again.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.ts';
import type { ChatRequest } from './types.ts';
import type { ParsedReply } from './wire.ts';

/** Bumped when the key's inputs or the entry format change, so old entries stop matching. */
const KEY_VERSION = 1;

const EntrySchema = z.object({
  version: z.literal(1),
  key: z.string(),
  model: z.string(),
  content: z.string(),
  finishReason: z.string().optional(),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }),
  /** True when the endpoint reported no usage and the counts are estimates. */
  usageEstimated: z.boolean().optional(),
  source: z.enum(['live', 'batch']),
  createdAt: z.string(),
});

export type CacheEntry = z.infer<typeof EntrySchema>;

/** sha256 over the model, the messages and every parameter that changes the reply. */
export function cacheKey(model: string, request: ChatRequest): string {
  const canonical = JSON.stringify([
    KEY_VERSION,
    model,
    request.messages.map((m) => [m.role, m.content]),
    request.temperature ?? null,
    request.maxTokens ?? null,
    request.stop ?? null,
    request.seed ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export const isCacheKey = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);

/** Two-character fan-out keeps directories small for direct runs with many thousands of calls. */
const entryPath = (cacheDir: string, key: string): string => path.join(cacheDir, key.slice(0, 2), `${key}.json`);

export async function readCacheEntry(cacheDir: string, key: string): Promise<CacheEntry | null> {
  let text: string;
  try {
    text = await readFile(entryPath(cacheDir, key), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = EntrySchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.key === key ? parsed.data : null;
  } catch {
    return null;
  }
}

export function cacheEntry(key: string, model: string, reply: ParsedReply, source: CacheEntry['source']): CacheEntry {
  const entry: CacheEntry = { version: 1, key, model, content: reply.content, usage: reply.usage, source, createdAt: new Date().toISOString() };
  if (reply.finishReason !== undefined) entry.finishReason = reply.finishReason;
  if (reply.usageEstimated) entry.usageEstimated = true;
  return entry;
}

/** The reply as the client hands it on. */
export function replyFromEntry(entry: CacheEntry): ParsedReply {
  const reply: ParsedReply = { content: entry.content, usage: entry.usage, usageEstimated: entry.usageEstimated === true };
  if (entry.finishReason !== undefined) reply.finishReason = entry.finishReason;
  return reply;
}

export async function writeCacheEntry(cacheDir: string, entry: CacheEntry): Promise<void> {
  await writeFileAtomic(entryPath(cacheDir, entry.key), JSON.stringify(entry));
}

/**
 * A run's own cache, backed by a shared one that other runs fill. The run's copy makes it whole on
 * its own (resume and report need nothing outside the run directory); the shared one is best
 * effort: a folder that cannot be read or written costs a cache hit, never the call.
 */
export interface CallCache {
  read(key: string): Promise<CacheEntry | null>;
  write(entry: CacheEntry): Promise<void>;
}

export function callCache(cacheDir: string, sharedCacheDir: string | null = null): CallCache {
  const shared = sharedCacheDir !== null && path.resolve(sharedCacheDir) !== path.resolve(cacheDir) ? sharedCacheDir : null;
  const writeShared = async (entry: CacheEntry): Promise<void> => {
    if (shared !== null) await writeCacheEntry(shared, entry).catch(() => {});
  };
  return {
    async read(key) {
      const own = await readCacheEntry(cacheDir, key);
      if (own !== null || shared === null) return own;
      const found = await readCacheEntry(shared, key);
      if (found !== null) await writeCacheEntry(cacheDir, found);
      return found;
    },
    async write(entry) {
      await writeCacheEntry(cacheDir, entry);
      await writeShared(entry);
    },
  };
}
