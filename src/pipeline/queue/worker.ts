/**
 * A queue worker: takes shards off the BullMQ queue, builds their views, runs the fitted program in the sandbox and
 * writes the shard's rows and summary into the run's results folder. A worker killed mid-shard (`kill -9`) leaves
 * only a temp file: its lock lapses, BullMQ's stalled-job check hands the shard to another worker, and the fixed
 * output names make the second run's files the only ones that count.
 */
import { Worker, type Job } from 'bullmq';
import { availableParallelism, hostname } from 'node:os';
import { corpusFromFiles, DEFAULT_MAX_BYTES, startViewThreads, type ViewThreads } from '../../corpus/index.ts';
import { createCellsWriter, readProgram, type Program } from '../../run/index.ts';
import { applyProgram, openSandbox } from '../apply-program.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import { connectionOf, DEFAULT_QUEUE_NAME, displayUrl, type QueueOptions } from './connection.ts';
import { programPath, rowsPath, shardJobSchema, writeShardSummary, type ShardJob } from './shards.ts';

export interface WorkerOptions extends QueueOptions {
  /** Shards worked on at once (default 1: one shard already uses every core through its isolates and view threads). */
  concurrency?: number;
  /** Sandbox isolates per shard (default one per core). */
  isolates?: number;
  /** View threads per shard (default one per core). */
  viewThreads?: number;
  /**
   * How long a shard stays claimed by a worker that stopped answering (killed, frozen) before another worker takes it
   * over (default 30,000 ms); a running worker renews its claim at half this.
   */
  lockMs?: number;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'ready'; url: string; queue: string }
  | { type: 'shard-start'; run: string; index: number; documents: number }
  | { type: 'shard-done'; run: string; index: number; documents: number; seconds: number }
  | { type: 'shard-failed'; run: string; index: number; error: string }
  | { type: 'error'; message: string };

export interface RunningWorker {
  /** Finish the shards in hand, then stop (what Ctrl-C does). */
  close(): Promise<void>;
  /** Stop at once; the shards in hand go back to the queue when their lock lapses. */
  kill(): Promise<void>;
}

/** Start a worker on the queue; it runs until closed. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const connection = connectionOf(options.url);
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const programs = new Map<string, Promise<Program>>();
  // One warm sandbox and set of view threads for the run in hand: fresh ones per shard would pay start-up and JIT
  // warm-up each time (a fifth of a 250-document shard's time, measured).
  let warm: { key: string; sandbox: Promise<Sandbox>; views: ViewThreads } | undefined;
  const cool = (entry: typeof warm) => {
    void entry?.sandbox.then((sandbox) => sandbox.close()).catch(() => {});
    void entry?.views.close().catch(() => {});
  };
  const warmFor = (shard: ShardJob, program: Program) => {
    const key = `${shard.results}\t${shard.timeoutMs ?? ''}\t${shard.maxBytes ?? ''}`;
    if (warm?.key !== key) {
      cool(warm);
      const limits = { ...(options.isolates ? { isolates: options.isolates } : {}), ...(shard.timeoutMs ? { timeoutMs: shard.timeoutMs } : {}) };
      warm = {
        key,
        sandbox: openSandbox(program, limits),
        views: startViewThreads({ threads: options.viewThreads ?? availableParallelism(), maxBytes: shard.maxBytes ?? DEFAULT_MAX_BYTES, layouts: (program.sampleLayouts?.length ?? 0) > 0 }),
      };
    }
    return warm;
  };
  const emit = options.onEvent ?? (() => {});
  const self = `${hostname()}:${process.pid}`;

  const processShard = async (job: Job): Promise<{ rows: number }> => {
    const shard: ShardJob = shardJobSchema.parse(job.data);
    emit({ type: 'shard-start', run: shard.run, index: shard.index, documents: shard.documents.length });
    const started = performance.now();
    // Shards of one run share the fitted program; read it once per run.
    let program = programs.get(shard.results);
    if (!program) {
      program = readProgram(programPath(shard.results));
      programs.set(shard.results, program);
      program.catch(() => programs.delete(shard.results));
    }
    const corpus = corpusFromFiles(shard.root, shard.documents, shard.maxBytes ? { maxBytes: shard.maxBytes } : {});
    const writer = await createCellsWriter(rowsPath(shard.results, shard.index));
    let reported = 0;
    try {
      const fitted = await program;
      const applied = await applyProgram(fitted, corpus, (row) => writer.write(row), {
        sandbox: await warmFor(shard, fitted).sandbox,
        viewPool: warmFor(shard, fitted).views,
        onDocument: (done) => {
          // Progress costs a Redis round trip: a few per shard are enough for the coordinator's display.
          if (done - reported >= Math.max(1, Math.ceil(shard.documents.length / 10))) {
            reported = done;
            void job.updateProgress(done).catch(() => {});
          }
        },
      });
      await writer.close();
      const seconds = (performance.now() - started) / 1000;
      await writeShardSummary(shard.results, shard.index, {
        rows: applied.rows,
        unsampledLayouts: applied.unsampledLayouts,
        counters: applied.counters,
        rejected: applied.rejected,
        skipped: corpus.skipped,
        worker: self,
        seconds,
      });
      emit({ type: 'shard-done', run: shard.run, index: shard.index, documents: shard.documents.length, seconds });
      return { rows: applied.rows };
    } catch (error) {
      await writer.abort();
      emit({ type: 'shard-failed', run: shard.run, index: shard.index, error: (error as Error).message });
      throw error;
    }
  };

  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker(name, processShard, {
    connection,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: lockDuration,
    // A shard whose worker died twice is most likely what kills workers: fail it, so the rest of the run completes.
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('error', (error) => emit({ type: 'error', message: error.message }));
  void worker.run().catch((error: Error) => emit({ type: 'error', message: error.message }));
  await worker.waitUntilReady();
  emit({ type: 'ready', url: displayUrl(options.url), queue: name });
  const release = async () => {
    await Promise.allSettled([warm?.sandbox.then((sandbox) => sandbox.close()), warm?.views.close()]);
    warm = undefined;
  };
  return {
    close: () => worker.close().finally(release),
    kill: () => worker.close(true).finally(release),
  };
}
