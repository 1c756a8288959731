/**
 * Shards of a queued apply: what a job carries, where its output goes, and how it is read back. Output lives in
 * files under the run directory, not in Redis: rows for millions of documents would fill Redis's memory, and a file
 * written under a fixed name (temp file, then rename) makes a retried or duplicated shard harmless. The run
 * directory and the documents must be visible to every worker at the same paths (a shared filesystem); reading and
 * writing shards goes through this module only, the seam for object storage.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import type { DocumentRef } from '../../corpus/index.ts';
import { skippedFileSchema } from '../../corpus/types.ts';
import { resultRowSchema, type Program, type ResultRow } from '../../run/index.ts';
import { sandboxCountersSchema } from '../../sandbox/types.ts';

/** Documents per shard by default: a few seconds of work, so the queue's own cost per shard stays small. */
export const DEFAULT_SHARD_SIZE = 500;

export const shardJobSchema = z.object({
  /** Digest of the fitted program and the document list: output of another program or corpus is never reused. */
  run: z.string(),
  index: z.number().int().nonnegative(),
  /** The folder the results go to, and the fitted program in it (absolute paths). */
  results: z.string(),
  root: z.string(),
  documents: z.array(z.object({ id: z.string(), path: z.string(), format: z.enum(['html', 'text']), bytes: z.number() })),
  timeoutMs: z.number().int().positive().optional(),
  maxBytes: z.number().int().positive().optional(),
});
export type ShardJob = z.infer<typeof shardJobSchema>;

export const shardSummarySchema = z.object({
  rows: z.number().int(),
  unsampledLayouts: z.number().int(),
  counters: sandboxCountersSchema,
  rejected: z.array(z.object({ id: z.string(), error: z.string() })),
  skipped: z.array(skippedFileSchema),
  worker: z.string(),
  seconds: z.number(),
});
export type ShardSummary = z.infer<typeof shardSummarySchema>;

/** Consecutive runs of `size` documents, in corpus order. */
export function planShards(documents: readonly DocumentRef[], size: number): DocumentRef[][] {
  const shards: DocumentRef[][] = [];
  for (let start = 0; start < documents.length; start += size) shards.push(documents.slice(start, start + size));
  return shards;
}

export function runKey(program: Program, documents: readonly DocumentRef[], shardSize: number): string {
  const hash = createHash('sha256').update(JSON.stringify(program)).update(String(shardSize));
  for (const ref of documents) hash.update(`\n${ref.path}\t${ref.bytes}`);
  return hash.digest('hex').slice(0, 16);
}

/** The BullMQ job id of a shard: fixed, so adding it again while it waits or runs adds nothing. */
export const jobIdOf = (run: string, index: number): string => `${run}-${index}`;

export const programPath = (results: string): string => join(results, 'program.json');
export const rowsPath = (results: string, index: number): string => join(results, `${String(index).padStart(6, '0')}.rows.jsonl`);
export const summaryPath = (results: string, index: number): string => join(results, `${String(index).padStart(6, '0')}.json`);

/** Written after the rows file is in place, so a summary on disk means the shard is whole. */
export async function writeShardSummary(results: string, index: number, summary: ShardSummary): Promise<void> {
  await writeFileAtomic(summaryPath(results, index), `${JSON.stringify(summary)}\n`);
}

/** The shard's summary, or undefined while it has none (not done, or its files are damaged). */
export async function readShardSummary(results: string, index: number): Promise<ShardSummary | undefined> {
  const text = await readFile(summaryPath(results, index), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return shardSummarySchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export async function readShardRows(results: string, index: number): Promise<ResultRow[]> {
  const text = await readFile(rowsPath(results, index), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => resultRowSchema.parse(JSON.parse(line)) as ResultRow);
}
