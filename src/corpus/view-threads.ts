/**
 * View building on worker threads, so reading, decoding and cleaning pages (the heaviest local work after the
 * functions themselves) runs on every core, beside the sandbox's isolates, instead of in series with them on the
 * main thread. `node:worker_threads` directly: the pool needs one task shape, no transfer lists and no task
 * cancellation, which is less code than adapting a general pool to it.
 *
 * A thread that dies (its memory limit, say) costs only the document it was on, which becomes a recorded skip;
 * a new thread takes its place.
 */
import type { Converter } from './convert.ts';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { CorpusDocument, DocumentRef, SkippedFile } from './types.ts';

export interface ViewTask {
  id: number;
  ref: DocumentRef;
}

export interface ViewTaskResult {
  id: number;
  entry: CorpusDocument | SkippedFile;
}

export interface ViewThreads {
  readonly size: number;
  load(ref: DocumentRef): Promise<CorpusDocument | SkippedFile>;
  close(): Promise<void>;
}

export interface ViewThreadOptions {
  threads: number;
  maxBytes: number;
  /** External converters by extension (see ./convert.ts). */
  converters?: readonly Converter[];
  /** Also compute each document's layout signature (`layout`) on the thread. */
  layouts?: boolean;
  /** Heap limit of each thread (default 1024 MB): a document that needs more is skipped. */
  heapMb?: number;
  /** Time limit per document (default 60 s): a document that takes longer (a PDF built to stall a reader) is skipped. */
  timeoutMs?: number;
}

const DOCUMENT_TIMEOUT_MS = 60_000;

/** A view's parse tree is a few hundred bytes per element: this is several times what the largest allowed page needs. */
const THREAD_HEAP_MB = 1024;

const ENTRY = path.join(import.meta.dirname, `view-thread${path.extname(import.meta.filename)}`);

interface Slot {
  worker: Worker;
  task: { task: ViewTask; resolve: (entry: CorpusDocument | SkippedFile) => void } | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Why the thread was stopped on purpose, if it was. */
  stopped?: string;
}

export function startViewThreads(options: ViewThreadOptions): ViewThreads {
  const queue: { task: ViewTask; resolve: (entry: CorpusDocument | SkippedFile) => void }[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  const timeoutMs = options.timeoutMs ?? DOCUMENT_TIMEOUT_MS;
  const dispatch = (slot: Slot): void => {
    const next = queue.shift();
    slot.task = next;
    if (!next) return;
    slot.worker.postMessage(next.task);
    // A stalled parse cannot be interrupted from outside but by stopping its thread.
    slot.timer = setTimeout(() => {
      slot.stopped = `it took over ${timeoutMs} ms`;
      void slot.worker.terminate();
    }, timeoutMs);
  };

  const spawn = (): Slot => {
    const worker = new Worker(ENTRY, {
      workerData: { maxBytes: options.maxBytes, layouts: options.layouts ?? false, ...(options.converters?.length ? { converters: [...options.converters] } : {}) },
      // The threads need none of the flags the main thread may carry (isolated-vm's, a test runner's).
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? THREAD_HEAP_MB },
    });
    const slot: Slot = { worker, task: undefined, timer: undefined };
    worker.on('message', (result: ViewTaskResult) => {
      const current = slot.task;
      if (current?.task.id !== result.id || slot.stopped !== undefined) return;
      clearTimeout(slot.timer);
      current.resolve(result.entry);
      dispatch(slot);
    });
    const died = (why: string): void => {
      clearTimeout(slot.timer);
      const current = slot.task;
      slot.task = undefined;
      if (current) {
        const { ref } = current.task;
        current.resolve({ id: ref.id, path: ref.path, reason: 'unparseable', detail: `the view builder stopped on this document: ${why}` });
      }
      if (closed) return;
      const index = slots.indexOf(slot);
      const replacement = spawn();
      if (index >= 0) slots[index] = replacement;
      dispatch(replacement);
    };
    worker.on('error', (error: Error) => died(error.message));
    worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) died(slot.stopped ?? `its thread exited with code ${code}`);
    });
    return slot;
  };

  for (let i = 0; i < Math.max(1, options.threads); i++) slots.push(spawn());

  return {
    size: slots.length,
    load: (ref) =>
      new Promise((resolve) => {
        if (closed) throw new Error('the view threads are closed');
        queue.push({ task: { id: nextId++, ref }, resolve });
        const idle = slots.find((slot) => slot.task === undefined);
        if (idle) dispatch(idle);
      }),
    close: async () => {
      closed = true;
      for (const slot of slots) clearTimeout(slot.timer);
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
