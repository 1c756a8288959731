/**
 * createIsolateSandbox: checks and compiles the extractors, starts the isolate pool in this process, and turns the
 * guest's outcomes into the public ones while keeping the run-wide state (disabled functions, counters). It needs
 * Node started with --no-node-snapshot; the sandbox host process (./host.ts) is where it normally runs.
 */
import { runBatch } from './batch.ts';
import type { FunctionControl } from './batch.ts';
import { checkSource, functionBody } from './check.ts';
import { assertIsolatesSupported } from './environment.ts';
import { resolveOptions } from './options.ts';
import { startPool } from './pool.ts';
import type { WireOutcome } from './protocol.ts';
import { fromWire } from './host-protocol.ts';
import { streamBatches } from './stream.ts';
import type { DocumentOutcomes, ExtractorSource, Outcome, Sandbox, SandboxCounters, SandboxDocument, SandboxOptions } from './types.ts';

/** Disabling decisions shared by all isolates: a function is off after `maxFailures` timeouts, or at once. */
function functionControl(ids: string[], maxFailures: number, initiallyDisabled: ReadonlySet<string>, onDisable: (id: string) => void): FunctionControl {
  const disabled = new Set<number>(ids.flatMap((id, fn) => (initiallyDisabled.has(id) ? [fn] : [])));
  const timeouts = new Map<number, number>();
  const control: FunctionControl = {
    count: ids.length,
    isDisabled: (fn) => disabled.has(fn),
    disable: (fn) => {
      if (disabled.has(fn)) return;
      disabled.add(fn);
      onDisable(ids[fn]!);
    },
    recordTimeout: (fn) => {
      const count = (timeouts.get(fn) ?? 0) + 1;
      timeouts.set(fn, count);
      if (count >= maxFailures) control.disable(fn);
      return disabled.has(fn);
    },
  };
  return control;
}

export interface IsolateSandboxState {
  /** Functions already switched off by an earlier host of the same sandbox (see ./process-sandbox.ts). */
  disabled?: readonly string[];
}

export async function createIsolateSandbox(functions: ExtractorSource[], options: SandboxOptions = {}, state: IsolateSandboxState = {}): Promise<Sandbox> {
  assertIsolatesSupported();
  const opts = resolveOptions(options);
  const seen = new Set<string>();
  const rejected: { id: string; error: string }[] = [];
  const accepted: ExtractorSource[] = [];
  for (const fn of functions) {
    if (typeof fn.id !== 'string' || fn.id === '' || fn.id === '__proto__') {
      throw new Error(`invalid extractor id ${JSON.stringify(fn.id)}: use a non-empty string other than "__proto__"`);
    }
    if (seen.has(fn.id)) throw new Error(`duplicate extractor id "${fn.id}": ids must be unique within a sandbox`);
    seen.add(fn.id);
    const check = checkSource(fn);
    if (check.ok) accepted.push(fn);
    else rejected.push({ id: fn.id, error: check.error });
  }
  const ids = accepted.map((f) => f.id);
  const pool = await startPool(opts.isolates, {
    bodies: accepted.map((f) => functionBody(f.source)),
    fixedNow: opts.now,
    timeoutMs: opts.timeoutMs,
    memoryLimitMb: opts.memoryLimitMb,
    semiSpaceMb: opts.semiSpaceMb,
    maxStringLength: opts.maxStringLength,
    maxArrayItems: opts.maxArrayItems,
  });

  const counters: SandboxCounters = {
    documents: 0,
    calls: 0,
    values: 0,
    abstains: 0,
    errors: {},
    disabled: [],
    isolateRestarts: 0,
    parses: 0,
    parseMs: 0,
    isolateCpuMs: 0,
  };
  const control = functionControl(ids, opts.maxFailures, new Set(state.disabled), (id) => counters.disabled.push(id));
  const limits = { timeoutMs: opts.timeoutMs, callTimeoutMs: opts.callTimeoutMs };

  const record = (docId: string, row: WireOutcome[]): DocumentOutcomes => {
    const outcomes: Record<string, Outcome> = {};
    for (let f = 0; f < ids.length; f++) {
      const wire = row[f];
      if (wire === undefined) throw new Error(`sandbox internal error: no outcome for function ${ids[f]} on ${docId}`);
      const o = fromWire(wire);
      outcomes[ids[f]!] = o;
      if (o.kind === 'value') counters.values++;
      else if (o.kind === 'abstain') counters.abstains++;
      else counters.errors[o.error] = (counters.errors[o.error] ?? 0) + 1;
      if (o.kind !== 'error' || o.error !== 'disabled') counters.calls++;
    }
    counters.documents++;
    return { docId, outcomes };
  };

  let running = false;
  let closed = false;
  async function* run(docs: AsyncIterable<SandboxDocument> | Iterable<SandboxDocument>): AsyncGenerator<DocumentOutcomes> {
    if (closed) throw new Error('this sandbox is closed; create a new one');
    if (running) throw new Error('a run is already in progress on this sandbox; consume or close it before starting another');
    running = true;
    try {
      const stream = streamBatches(pool.slots, docs, (slot, batch) => runBatch(slot, batch, control, limits), {
        onBatch: (r) => {
          counters.parses += r.parses;
          counters.parseMs += r.parseMs;
        },
      });
      for await (const { doc, outcomes } of stream) yield record(doc.id, outcomes);
    } finally {
      running = false;
    }
  }

  return {
    rejected,
    functionIds: ids,
    run,
    counters: () => ({ ...structuredClone(counters), isolateRestarts: pool.restarts(), isolateCpuMs: pool.cpuMs() }),
    close: async () => {
      closed = true;
      pool.close();
    },
  };
}
