/** Apply over a BullMQ queue on Redis: the coordinator side, the worker side, and the shard files between them. */
import type { Corpus } from '../../corpus/index.ts';
import type { Program, ResultRow } from '../../run/index.ts';
import { applyProgram, type ApplyOptions, type ApplySummary } from '../apply-program.ts';
import type { QueueRunOptions } from './connection.ts';
import { applyProgramOnQueue, type FailedShard } from './coordinator.ts';

export { startWorker, type WorkerOptions, type WorkerEvent, type RunningWorker } from './worker.ts';
export { applyProgramOnQueue, type FailedShard, type QueuedApplySummary } from './coordinator.ts';
export { connectionOf, DEFAULT_QUEUE_NAME, type QueueOptions, type QueueRunOptions } from './connection.ts';
export { DEFAULT_SHARD_SIZE } from './shards.ts';

/** Apply here, or on the queue's workers when one is given (results under `resultsDir`); the rows are the same. */
export async function applyHereOrOnQueue(
  program: Program,
  corpus: Corpus,
  onRow: (row: ResultRow) => Promise<void> | void,
  options: ApplyOptions & { queue?: QueueRunOptions | undefined; resultsDir: string; onNotice?: (message: string) => void },
): Promise<ApplySummary & { failedShards?: FailedShard[] }> {
  const { queue, resultsDir, onNotice, ...rest } = options;
  if (!queue) return applyProgram(program, corpus, onRow, rest);
  const summary = await applyProgramOnQueue(program, corpus, onRow, { ...rest, queue: { ...queue, resultsDir, ...(onNotice ? { onNotice } : {}) } });
  return { ...summary, failedShards: summary.failed };
}
