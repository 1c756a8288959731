/**
 * The isolate pool: compiles the extractors into one isolate per worker, streams documents through
 * them in batches, and keeps the run-wide state (disabled functions, counters).
 */
import os from 'node:os';
import { runBatch } from './batch.ts';
import type { FunctionControl, GuestDoc, WorkerSlot } from './batch.ts';
import { checkSource, functionBody } from './check.ts';
import { assertIsolatesSupported } from './environment.ts';
import type { WireOutcome } from './protocol.ts';
import type { DocumentOutcomes, ExtractorSource, Outcome, Sandbox, SandboxCounters, SandboxDocument, SandboxOptions } from './types.ts';
import { startWorker } from './worker.ts';
import type { GuestWorker, WorkerConfig } from './worker.ts';

interface ResolvedOptions {
  isolates: number;
  timeoutMs: number;
  memoryLimitMb: number;
  semiSpaceMb: number;
  maxFailures: number;
  maxStringLength: number;
  maxArrayItems: number;
  now: number;
}

/** Aim for calls of about this much work: long enough that crossing into the isolate is noise, short enough to stream. */
const TARGET_BATCH_MS = 40;
const MAX_BATCH_DOCS = 64;
const MAX_BATCH_CHARS = 4_000_000;

function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const pick = (name: keyof SandboxOptions, fallback: number, min: number): number => {
    const v = options[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      throw new RangeError(`sandbox option ${name} must be a number >= ${min}, got ${String(v)}`);
    }
    return v;
  };
  return {
    isolates: Math.floor(pick('isolates', os.availableParallelism(), 1)),
    timeoutMs: pick('timeoutMs', 100, 1),
    // isolated-vm refuses limits under 8 MB.
    memoryLimitMb: pick('memoryLimitMb', 128, 8),
    semiSpaceMb: Math.floor(pick('semiSpaceMb', 16, 0)),
    maxFailures: Math.floor(pick('maxFailures', 3, 1)),
    maxStringLength: Math.floor(pick('maxStringLength', 2000, 1)),
    maxArrayItems: Math.floor(pick('maxArrayItems', 50, 1)),
    now: pick('now', Date.now(), 0),
  };
}

function toOutcome(w: WireOutcome): Outcome {
  if (w === null) return { kind: 'abstain' };
  if (Array.isArray(w)) return { kind: 'value', value: w };
  return w.message === undefined ? { kind: 'error', error: w.error } : { kind: 'error', error: w.error, message: w.message };
}

function newCounters(): SandboxCounters {
  return { documents: 0, calls: 0, values: 0, abstains: 0, errors: {}, disabled: [], isolateRestarts: 0, parses: 0, parseMs: 0, isolateCpuMs: 0 };
}

export async function createSandbox(functions: ExtractorSource[], options: SandboxOptions = {}): Promise<Sandbox> {
  assertIsolatesSupported();
  const opts = resolveOptions(options);
  const seen = new Set<string>();
  const rejected: { id: string; error: string }[] = [];
  const accepted: ExtractorSource[] = [];
  for (const fn of functions) {
    if (seen.has(fn.id)) throw new Error(`duplicate extractor id "${fn.id}": ids must be unique within a sandbox`);
    seen.add(fn.id);
    const check = checkSource(fn);
    if (check.ok) accepted.push(fn);
    else rejected.push({ id: fn.id, error: check.error });
  }
  const ids = accepted.map((f) => f.id);
  const workerConfig: WorkerConfig = {
    bodies: accepted.map((f) => functionBody(f.source)),
    fixedNow: opts.now,
    timeoutMs: opts.timeoutMs,
    memoryLimitMb: opts.memoryLimitMb,
    semiSpaceMb: opts.semiSpaceMb,
    maxStringLength: opts.maxStringLength,
    maxArrayItems: opts.maxArrayItems,
  };

  const counters = newCounters();
  const disabled = new Set<number>();
  const timeouts = new Map<number, number>();
  const control: FunctionControl = {
    count: ids.length,
    isDisabled: (fn) => disabled.has(fn),
    disable: (fn) => {
      if (disabled.has(fn)) return;
      disabled.add(fn);
      counters.disabled.push(ids[fn]!);
    },
    recordTimeout: (fn) => {
      const count = (timeouts.get(fn) ?? 0) + 1;
      timeouts.set(fn, count);
      if (count >= opts.maxFailures) control.disable(fn);
      return disabled.has(fn);
    },
  };

  const slots: WorkerSlot[] = [];
  let retiredCpuMs = 0;
  const startups = await Promise.allSettled(Array.from({ length: opts.isolates }, () => startWorker(workerConfig)));
  const failed = startups.find((r) => r.status === 'rejected');
  if (failed) {
    for (const r of startups) if (r.status === 'fulfilled') r.value.dispose();
    throw failed.reason;
  }
  const workers = startups.map((r) => (r as PromiseFulfilledResult<GuestWorker>).value);
  let closed = false;
  workers.forEach((_, i) => {
    slots.push({
      current: async () => workers[i]!,
      restart: async () => {
        workers[i]!.dispose();
        retiredCpuMs += workers[i]!.cpuMs();
        if (closed) throw new Error('the sandbox was closed while documents were still running');
        counters.isolateRestarts++;
        workers[i] = await startWorker(workerConfig);
        return workers[i]!;
      },
    });
  });

  let running = false;
  let msPerDoc = 0;
  const callTimeoutMs = Math.max(4 * opts.timeoutMs, 250);

  const batchSize = (): number =>
    msPerDoc <= 0 ? 4 : Math.max(1, Math.min(MAX_BATCH_DOCS, Math.round(TARGET_BATCH_MS / msPerDoc)));

  const record = (docId: string, row: WireOutcome[]): DocumentOutcomes => {
    const outcomes: Record<string, Outcome> = {};
    for (let f = 0; f < ids.length; f++) {
      const wire = row[f];
      if (wire === undefined) throw new Error(`sandbox internal error: no outcome for function ${ids[f]} on ${docId}`);
      const o = toOutcome(wire);
      outcomes[ids[f]!] = o;
      if (o.kind === 'value') counters.values++;
      else if (o.kind === 'abstain') counters.abstains++;
      else counters.errors[o.error] = (counters.errors[o.error] ?? 0) + 1;
      if (o.kind !== 'error' || o.error !== 'disabled') counters.calls++;
    }
    counters.documents++;
    return { docId, outcomes };
  };

  async function* run(docs: AsyncIterable<SandboxDocument> | Iterable<SandboxDocument>): AsyncGenerator<DocumentOutcomes> {
    if (closed) throw new Error('this sandbox is closed; create a new one');
    if (running) throw new Error('a run is already in progress on this sandbox; consume or close it before starting another');
    running = true;
    const input = (Symbol.asyncIterator in docs ? docs[Symbol.asyncIterator]() : docs[Symbol.iterator]()) as
      | AsyncIterator<SandboxDocument>
      | Iterator<SandboxDocument>;
    let inputDone = false;
    const readBatch = async (): Promise<SandboxDocument[]> => {
      const batch: SandboxDocument[] = [];
      let chars = 0;
      const size = batchSize();
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

    interface Pending {
      docs: SandboxDocument[];
      result: Promise<WireOutcome[][]>;
      settled: boolean;
    }
    const idle = [...slots.keys()];
    const pending: Pending[] = [];
    let wake: (() => void) | undefined;
    const start = (slotIndex: number, batch: SandboxDocument[]): void => {
      const guestDocs: GuestDoc[] = batch.map((d) => ({ view: d.view, html: d.format === 'html' }));
      const started = performance.now();
      const entry: Pending = { docs: batch, settled: false, result: Promise.resolve([]) };
      entry.result = runBatch(slots[slotIndex]!, guestDocs, control, { timeoutMs: opts.timeoutMs, callTimeoutMs }).then(
        (r) => {
          if (r.recoveries === 0) {
            const perDoc = (performance.now() - started) / batch.length;
            msPerDoc = msPerDoc <= 0 ? perDoc : 0.8 * msPerDoc + 0.2 * perDoc;
          }
          counters.parses += r.parses;
          counters.parseMs += r.parseMs;
          return r.outcomes;
        },
      );
      entry.result
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
        // Keep every isolate busy, but hold at most two batches per isolate (in flight or waiting to be yielded).
        while (!inputDone && idle.length > 0 && pending.length < 2 * slots.length) {
          const batch = await readBatch();
          if (batch.length === 0) break;
          start(idle.shift()!, batch);
        }
        const head = pending[0];
        if (!head) break;
        if (!head.settled) {
          const canStartMore = !inputDone && pending.length < 2 * slots.length;
          await (canStartMore
            ? Promise.race([head.result.then(() => undefined), new Promise<void>((resolve) => (wake = resolve))])
            : head.result);
          wake = undefined;
          continue;
        }
        pending.shift();
        const rows = await head.result;
        for (let i = 0; i < head.docs.length; i++) yield record(head.docs[i]!.id, rows[i]!);
      }
    } finally {
      // Let batches in flight finish so the isolates are idle and consistent for the next run or close().
      await Promise.allSettled(pending.map((p) => p.result));
      // Stopped early (the consumer broke out, or an error): let the source release what it holds.
      if (!inputDone) await input.return?.();
      running = false;
    }
  }

  return {
    rejected,
    functionIds: ids,
    run,
    counters: () => ({ ...structuredClone(counters), isolateCpuMs: retiredCpuMs + workers.reduce((sum, w) => sum + w.cpuMs(), 0) }),
    close: async () => {
      closed = true;
      for (const w of workers) w.dispose();
    },
  };
}
