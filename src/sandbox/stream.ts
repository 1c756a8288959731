/**
 * Streams documents through a pool in batches, yielding results in input order. Input is read only
 * while fewer than two batches per isolate are in flight or waiting to be yielded, so memory stays
 * flat however long the input is, and a slow consumer slows the reading down.
 */
import type { BatchResult, GuestDoc, WorkerSlot } from './batch.ts';
import type { SandboxDocument } from './types.ts';

/** Aim for calls of about this much work: long enough that crossing into the isolate is noise, short enough to stream. */
const TARGET_BATCH_MS = 40;
const FIRST_BATCH_DOCS = 4;
const MAX_BATCH_DOCS = 64;
const MAX_BATCH_CHARS = 4_000_000;

export type RunBatch = (slot: WorkerSlot, docs: GuestDoc[]) => Promise<BatchResult>;

export interface StreamHooks {
  /** Called with every finished batch (for counters), before its documents are yielded. */
  onBatch(result: BatchResult): void;
}

/** Batch size that follows the measured cost of a document (batches that needed recovery are not measured). */
function batchSizer(): { size(): number; observe(ms: number, docs: number): void } {
  let msPerDoc = 0;
  return {
    size: () => (msPerDoc <= 0 ? FIRST_BATCH_DOCS : Math.max(1, Math.min(MAX_BATCH_DOCS, Math.round(TARGET_BATCH_MS / msPerDoc)))),
    observe: (ms, docs) => {
      const perDoc = ms / docs;
      msPerDoc = msPerDoc <= 0 ? perDoc : 0.8 * msPerDoc + 0.2 * perDoc;
    },
  };
}

interface Pending {
  docs: SandboxDocument[];
  result: Promise<BatchResult>;
  settled: boolean;
}

export async function* streamBatches(
  slots: WorkerSlot[],
  docs: AsyncIterable<SandboxDocument> | Iterable<SandboxDocument>,
  runBatch: RunBatch,
  hooks: StreamHooks,
): AsyncGenerator<{ doc: SandboxDocument; outcomes: BatchResult['outcomes'][number] }> {
  const input = (Symbol.asyncIterator in docs ? docs[Symbol.asyncIterator]() : docs[Symbol.iterator]()) as
    | AsyncIterator<SandboxDocument>
    | Iterator<SandboxDocument>;
  const sizer = batchSizer();
  let inputDone = false;

  const readBatch = async (): Promise<SandboxDocument[]> => {
    const batch: SandboxDocument[] = [];
    let chars = 0;
    const size = sizer.size();
    while (!inputDone && batch.length < size && chars < MAX_BATCH_CHARS) {
      const next = await input.next();
      if (next.done) {
        inputDone = true;
        break;
      }
      const doc = next.value;
      if (typeof doc?.view !== 'string' || typeof doc.id !== 'string') {
        throw new TypeError('each document must have a string id and a string view');
      }
      batch.push(doc);
      chars += doc.view.length;
    }
    return batch;
  };

  const idle = [...slots.keys()];
  const pending: Pending[] = [];
  const maxPending = 2 * slots.length;
  let wake: (() => void) | undefined;

  const start = (slotIndex: number, batch: SandboxDocument[]): void => {
    const started = performance.now();
    const guestDocs = batch.map((d): GuestDoc => ({ view: d.view, html: d.format === 'html' }));
    const result = runBatch(slots[slotIndex]!, guestDocs).then((r) => {
      if (r.recoveries === 0) sizer.observe(performance.now() - started, batch.length);
      return r;
    });
    const entry: Pending = { docs: batch, result, settled: false };
    result
      .finally(() => {
        entry.settled = true;
        idle.push(slotIndex);
        wake?.();
      })
      .catch(() => undefined);
    pending.push(entry);
  };

  try {
    for (;;) {
      while (!inputDone && idle.length > 0 && pending.length < maxPending) {
        const batch = await readBatch();
        if (batch.length === 0) break;
        start(idle.shift()!, batch);
      }
      const head = pending[0];
      if (!head) break;
      if (!head.settled) {
        // Wait for the oldest batch, or for an isolate to come free if there is more input to give it.
        const canStartMore = !inputDone && pending.length < maxPending;
        await (canStartMore ? Promise.race([head.result, new Promise<void>((resolve) => (wake = resolve))]) : head.result);
        wake = undefined;
        continue;
      }
      pending.shift();
      const result = await head.result;
      hooks.onBatch(result);
      for (let i = 0; i < head.docs.length; i++) yield { doc: head.docs[i]!, outcomes: result.outcomes[i]! };
    }
  } finally {
    // Let batches in flight finish so the isolates are idle for the next run or close().
    await Promise.allSettled(pending.map((p) => p.result));
    // Stopped early (the consumer broke out, or an error): let the source release what it holds.
    if (!inputDone) await input.return?.();
  }
}
