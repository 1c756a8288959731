import type { Corpus } from '../../corpus/index.ts';
import { filling, type Program, type RowSink } from '../../run/index.ts';
import type { SandboxCounters } from '../../sandbox/index.ts';
import { join } from 'node:path';
import { applyHereOrOnQueue, type FailedShard } from '../queue/index.ts';
import type { RunContext } from '../context.ts';
import { timed } from '../stage.ts';
import type { createColumnComparison } from './columns.ts';
import type { createCellTally } from './table.ts';

export interface Applied {
  /** The program with the label model's accuracies filled in. */
  program: Program;
  counters: SandboxCounters;
  docsPerSecond: number;
  /** Documents whose layout resembles no sample document's. */
  unsampledLayouts: number;
  /** Queued runs: shards that failed on every attempt (their documents have no rows). */
  failedShards: FailedShard[];
}

/** Run the program over the whole corpus into the run's table; the table on disk is always whole. */
export async function applyStage(
  ctx: RunContext,
  program: Program,
  corpus: Corpus,
  sink: RowSink,
  tally: ReturnType<typeof createCellTally>,
  columns?: ReturnType<typeof createColumnComparison>,
): Promise<Applied> {
  const started = performance.now();
  const applied = await filling(sink, () =>
    timed(ctx, 'apply', () =>
      applyHereOrOnQueue(
        program,
        corpus,
        async (row) => {
          tally.add(row);
          columns?.add(row);
          await sink.write(row);
        },
        {
          queue: ctx.queue,
          resultsDir: join(ctx.runDir ?? '.', 'shards'),
          onNotice: (message) => ctx.emit({ type: 'notice', message }),
          timeoutMs: ctx.settings.timeoutMs,
          ...(ctx.isolates ? { isolates: ctx.isolates } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onDocument: (done, total) => ctx.emit({ type: 'progress', stage: 'apply', done, total }),
        },
      ),
    ),
  );
  for (const shard of applied.failedShards ?? []) {
    ctx.emit({ type: 'notice', message: `shard ${shard.index} (${shard.documents} documents, ${shard.first} .. ${shard.last}) failed on every attempt: ${shard.error}; its documents have no rows. Run again with the same run directory to retry it.` });
  }
  const seconds = (performance.now() - started) / 1000;
  return { program: applied.program, counters: applied.counters, docsPerSecond: seconds > 0 ? applied.rows / seconds : 0, unsampledLayouts: applied.unsampledLayouts, failedShards: applied.failedShards ?? [] };
}
