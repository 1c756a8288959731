/**
 * The coordinator of a queued apply: fits the label model here on the seeded sample (so shards are independent and
 * the table is the one a local apply writes), queues the shards that have no results yet, follows them across
 * workers, and streams their rows in corpus order. Completion is read from the results folder (polled), so nothing
 * is missed while Redis is away; shards lost with Redis's memory are queued again.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { EvaporateError } from '../../core/errors.ts';
import type { Corpus } from '../../corpus/index.ts';
import type { Program, ResultRow } from '../../run/index.ts';
import { addCounters, type SandboxCounters } from '../../sandbox/index.ts';
import { fitProgram, type ApplyOptions, type ApplySummary } from '../apply-program.ts';
import { connectionOf, DEFAULT_QUEUE_NAME, displayUrl, type QueueOptions } from './connection.ts';
import { DEFAULT_SHARD_SIZE, jobIdOf, planShards, programPath, readShardRows, readShardSummary, runKey, type ShardJob, type ShardSummary } from './shards.ts';

export interface QueuedApplyOptions extends QueueOptions {
  /** Documents per shard (default 500). */
  shardSize?: number;
  /** The folder shard results go to: inside the run directory, on a filesystem every worker sees. */
  resultsDir: string;
  /** Give up when Redis has not answered for this long (default 60,000 ms); the finished shards are kept. */
  unreachableMs?: number;
  /** Attempts per shard before it counts as failed (default 3). */
  attempts?: number;
  onNotice?: (message: string) => void;
}

export interface FailedShard {
  index: number;
  /** Its first and last document ids, and how many it holds. */
  first: string;
  last: string;
  documents: number;
  error: string;
}

export interface QueuedApplySummary extends ApplySummary {
  shards: number;
  /** Shards whose results were already in the results folder (a resumed run). */
  reused: number;
  failed: FailedShard[];
}

const POLL_MS = 250;
const RECONCILE_MS = 2000;

/** Apply a program to a corpus on queue workers, with the same rows, in the same order, as {@link applyProgram}. */
export async function applyProgramOnQueue(
  program: Program,
  corpus: Corpus,
  onRow: (row: ResultRow) => Promise<void> | void,
  options: ApplyOptions & { queue: QueuedApplyOptions },
): Promise<QueuedApplySummary> {
  const { queue: settings } = options;
  const connection = connectionOf(settings.url);
  const name = settings.name ?? DEFAULT_QUEUE_NAME;
  const shardSize = settings.shardSize ?? DEFAULT_SHARD_SIZE;
  const notice = settings.onNotice ?? (() => {});

  if (corpus.root === '') {
    throw new EvaporateError('invalid-option', 'A queued run needs documents in a folder that the workers can read; documents passed in memory can only be applied here (leave out the queue).', { settings: ['queue'] });
  }
  // The fitting sample's rows are kept, so shards leave those documents out rather than run them again.
  const fit = await fitProgram(program, corpus, { ...options, onDocument: () => {} });
  const fitted = fit.program;
  const run = runKey(fitted, corpus.documents, shardSize);
  const results = join(settings.resultsDir, run);
  await mkdir(results, { recursive: true });
  await writeFileAtomic(programPath(results), `${JSON.stringify(fitted, null, 2)}\n`);

  const shards = planShards(corpus.documents, shardSize);
  const summaries = new Map<number, ShardSummary>();
  for (let index = 0; index < shards.length; index++) {
    const summary = await readShardSummary(results, index);
    if (summary) summaries.set(index, summary);
  }
  const reused = summaries.size;
  const failed = new Map<number, string>();
  const jobOf = (index: number): { name: string; data: ShardJob; opts: object } => ({
    name: 'shard',
    data: {
      run,
      index,
      results,
      root: corpus.root,
      documents: (shards[index] ?? []).filter((ref) => !fit.rows.has(ref.id)),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    },
    opts: {
      jobId: jobIdOf(run, index),
      attempts: settings.attempts ?? 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      // Kept so the error can be reported; removed when the run queues the shard again.
      removeOnFail: false,
    },
  });

  // Our own client, so that it can be cut at the end even when Redis never answered (BullMQ's close waits for it).
  const client = new Redis(connection.url, { maxRetriesPerRequest: null });
  client.on('error', () => {});
  const queue = new Queue(name, { connection: client });
  queue.on('error', () => {});
  let lastAnswer = Date.now();
  const unreachable = settings.unreachableMs ?? 60_000;
  // A command that Redis does not answer in time counts as no answer; the run gives up after `unreachable`.
  const ask = async <T>(what: () => Promise<T>): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([what(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), 5000)))]);
      lastAnswer = Date.now();
      return answer;
    } catch (error) {
      if (Date.now() - lastAnswer > unreachable) {
        throw new EvaporateError('queue', `Redis at ${displayUrl(settings.url)} has not answered for ${Math.round(unreachable / 1000)} s (${(error as Error).message}). The ${summaries.size} finished shards are kept in ${results}; run the same command again with the same run directory to go on.`, { settings: ['queue'] });
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const counters: SandboxCounters[] = [];
  const rejected = new Map<string, string>();
  let rows = 0;
  let unsampledLayouts = 0;
  let next = 0;
  const total = corpus.documents.length;
  const documentsDone = () => [...summaries.keys()].reduce((sum, index) => sum + (shards[index]?.length ?? 0), 0);

  const queueShards = async (indices: number[]) => {
    if (indices.length === 0) return;
    // A shard that failed in an earlier run is retried: its failed job would otherwise keep the id taken.
    const wanted = new Set(indices);
    for (const job of (await ask(() => queue.getFailed())) ?? []) {
      const data = job.data as Partial<ShardJob>;
      if (data.run === run && typeof data.index === 'number' && wanted.has(data.index)) await ask(() => job.remove());
    }
    const added = await ask(() => queue.addBulk(indices.map(jobOf)));
    if (!added) throw new EvaporateError('queue', `Could not queue the shards on Redis at ${displayUrl(settings.url)}. Is redis-server running there? Start it, or pass the right --queue.`, { settings: ['queue'] });
  };
  const pending = () => shards.map((_, index) => index).filter((index) => !summaries.has(index) && !failed.has(index));
  try {
    if ((await ask(async () => (await queue.waitUntilReady(), true))) === undefined) {
      throw new EvaporateError('queue', `Redis at ${displayUrl(settings.url)} does not answer. Is redis-server running there? Start it, or pass the right --queue; then run the same command again.`, { settings: ['queue'] });
    }
    await queueShards(pending());
    if (reused > 0) notice(`${reused} of ${shards.length} shards already have results in ${results}; queued the other ${shards.length - reused}`);

    let lastReconcile = 0;
    while (next < shards.length) {
      options.signal?.throwIfAborted();
      // Results first: they are on disk, so they count even while Redis is away.
      for (const index of pending().slice(0, 64)) {
        const summary = await readShardSummary(results, index);
        if (summary) summaries.set(index, summary);
      }
      if (Date.now() - lastReconcile > RECONCILE_MS) {
        lastReconcile = Date.now();
        await reconcile();
      }
      while (next < shards.length && (summaries.has(next) || failed.has(next))) {
        const summary = summaries.get(next);
        if (summary) {
          // The shard's rows and the fitting sample's, in corpus order (documents skipped as unreadable have neither).
          const computed = await readShardRows(results, next);
          let taken = 0;
          for (const ref of shards[next] ?? []) {
            const row = fit.rows.get(ref.id) ?? (computed[taken]?.doc === ref.id ? computed[taken++] : undefined);
            if (!row) continue;
            await onRow(row);
            rows++;
          }
          unsampledLayouts += summary.unsampledLayouts;
          counters.push(summary.counters);
          for (const entry of summary.rejected) rejected.set(entry.id, entry.error);
          for (const skip of summary.skipped) if (!corpus.skipped.some((known) => known.id === skip.id)) corpus.skipped.push(skip);
        }
        next++;
      }
      if (next >= shards.length) break;
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
  } finally {
    await Promise.race([queue.close(), new Promise((done) => setTimeout(done, 2000))]).catch(() => {});
    client.disconnect();
  }

  return {
    program: fitted,
    rows,
    unsampledLayouts: unsampledLayouts + fit.unsampledLayouts,
    counters: addCounters(counters),
    rejected: [...rejected].map(([id, error]) => ({ id, error })),
    shards: shards.length,
    reused,
    failed: [...failed].sort(([a], [b]) => a - b).map(([index, error]) => {
      const docs = shards[index] ?? [];
      return { index, first: docs[0]?.id ?? '', last: docs.at(-1)?.id ?? '', documents: docs.length, error };
    }),
  };

  /** Failed shards, progress across workers, and shards Redis lost (queued again). */
  async function reconcile(): Promise<void> {
    const failedJobs = await ask(() => queue.getFailed());
    for (const job of failedJobs ?? []) {
      const data = job.data as Partial<ShardJob>;
      if (data.run === run && typeof data.index === 'number' && !summaries.has(data.index)) failed.set(data.index, job.failedReason || 'failed');
    }
    const active = await ask(() => queue.getActive());
    const inFlight = (active ?? []).filter((job) => (job.data as Partial<ShardJob>).run === run).reduce((sum, job) => sum + (typeof job.progress === 'number' ? job.progress : 0), 0);
    options.onDocument?.(Math.min(total, documentsDone() + inFlight), total);
    const counts = await ask(() => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'));
    if (!counts) return;
    const queued = Object.values(counts).reduce((sum, n) => sum + n, 0);
    // Nothing queued while shards are pending: the whole set is gone (Redis restarted without persistence). Else
    // a few shards per round are looked up one by one.
    let candidates = pending();
    if (queued > 0) {
      const states = await Promise.all(candidates.slice(0, 16).map(async (index) => [index, await ask(() => queue.getJobState(jobIdOf(run, index)))] as const));
      candidates = states.filter(([, state]) => state === 'unknown').map(([index]) => index);
    }
    const lost: number[] = [];
    for (const index of candidates) {
      // Finished since the last look: a worker writes the summary before its job completes and is removed.
      const summary = await readShardSummary(results, index);
      if (summary) summaries.set(index, summary);
      else lost.push(index);
    }
    if (lost.length > 0) {
      notice(`${lost.length} shards were no longer on the queue (was Redis restarted?); queued them again`);
      await queueShards(lost);
    }
  }
}
