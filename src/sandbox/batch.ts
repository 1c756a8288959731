/**
 * Runs one batch of documents through one isolate and recovers from everything hostile code can do:
 * a call that runs past the time limit is stopped and its culprit named from the progress marker;
 * an isolate killed by its memory limit is replaced and its culprit disabled; a function that
 * changed shared built-ins is found by re-running the document with a check after every call.
 * When the marker cannot name a culprit, the rest of the batch is re-run one call at a time.
 *
 * Why a batch always ends: a (document, function) pair is stopped at most twice before its outcome is
 * decided (the first stop may be a busy machine or a poisoned isolate); recoveries that decide nothing
 * are counted, and after a few in a row the batch goes one call at a time, where every failure decides.
 */
import type { BatchRequest, BatchResponse, ErrorKind, WireOutcome } from './protocol.ts';
import type { CallFailure, GuestWorker } from './worker.ts';

export interface GuestDoc {
  view: string;
  html: boolean;
}

/** Function state shared by all workers of a sandbox (enable/disable decisions, failure counts). */
export interface FunctionControl {
  readonly count: number;
  isDisabled(fn: number): boolean;
  /** Records a time-limit failure; true when the function is now disabled. */
  recordTimeout(fn: number): boolean;
  disable(fn: number): void;
}

/** The isolate a batch runs on; `restart` replaces it with a fresh one (after a death or tampering). */
export interface WorkerSlot {
  current(): Promise<GuestWorker>;
  restart(): Promise<GuestWorker>;
}

export interface BatchLimits {
  timeoutMs: number;
  /** Time limit of one call into the isolate (many functions on several documents). */
  callTimeoutMs: number;
}

export interface BatchResult {
  outcomes: WireOutcome[][];
  parseMs: number;
  parses: number;
  /** Failed calls recovered from (their time says nothing about how long documents normally take). */
  recoveries: number;
}

interface Plan {
  cutoff: number[];
  forced: Map<string, [number, number, WireOutcome]>;
  unparseable: number[];
  /** Calls stopped once (time limit or isolate death) and given a second chance; a second stop decides. */
  suspects: Set<string>;
}

const MAX_STALLS = 6;

const err = (error: ErrorKind, message?: string): WireOutcome => (message === undefined ? { error } : { error, message });

function force(plan: Plan, doc: number, fn: number, outcome: WireOutcome): void {
  plan.forced.set(`${doc}:${fn}`, [doc, fn, outcome]);
}

function request(plan: Plan, docs: GuestDoc[] | undefined, startDoc: number, startFn: number, mode: Mode): BatchRequest {
  return {
    ...(docs ? { docs } : {}),
    startDoc,
    startFn,
    cutoff: plan.cutoff,
    forced: [...plan.forced.values()],
    unparseable: plan.unparseable,
    paranoid: mode === 'paranoid',
    single: mode === 'single',
  };
}

type Mode = 'normal' | 'paranoid' | 'single';
type Position = { doc: number; fn: number };

/** What to do after a failed call: decide an outcome (maybe), then where and how to continue. */
interface Recovery {
  decide?: { doc: number; fn: number; kind: 'timeout' | 'memory' | 'threw'; message: string };
  unparseable?: number;
  /** Continue at this position on the same isolate, or (undefined) from the first unfinished document. */
  resumeAt?: Position;
  mode: Mode;
}

export async function runBatch(slot: WorkerSlot, docs: GuestDoc[], control: FunctionControl, limits: BatchLimits): Promise<BatchResult> {
  const n = docs.length;
  const plan: Plan = {
    cutoff: Array.from({ length: control.count }, (_, f) => (control.isDisabled(f) ? 0 : n)),
    forced: new Map(),
    unparseable: [],
    suspects: new Set(),
  };
  const stopFrom = (fn: number, doc: number): void => {
    plan.cutoff[fn] = Math.min(plan.cutoff[fn]!, doc + 1);
  };
  const rows: WireOutcome[][] = [];
  let parseMs = 0;
  let parses = 0;
  let worker = await slot.current();
  /** Documents [0, done) are final on the host. The guest may hold partial rows beyond that. */
  let done = 0;
  let loaded = false;
  let position: Position = { doc: 0, fn: 0 };
  let mode: Mode = 'normal';
  const restart = async (): Promise<void> => {
    worker = await slot.restart();
    loaded = false;
    // A fresh isolate has none of this batch's rows: redo every unfinished document (decisions are kept in the plan).
    position = { doc: done, fn: 0 };
  };

  /** Failures in a row that decided nothing; too many and the batch goes one call at a time, where every failure decides. */
  let stalls = 0;
  let recoveries = 0;

  const accept = async (response: BatchResponse): Promise<void> => {
    parseMs += response.parseMs;
    parses += response.parses;
    if (response.tampered) {
      const { doc, fn } = response.tampered;
      for (let d = done; d < doc; d++) rows[d] = response.outcomes[d]!;
      done = doc;
      if (fn === null) {
        mode = 'paranoid';
      } else {
        force(plan, doc, fn, err('tampered', 'changed RegExp or RegExp.prototype, which other functions depend on'));
        control.disable(fn);
        stopFrom(fn, doc);
        mode = 'normal';
      }
      // The isolate's built-ins are no longer trustworthy (and its regexes are slow): replace it.
      await restart();
    } else if (mode === 'single') {
      position = nextCall(position, control.count);
      if (position.doc > done) {
        rows[done] = response.outcomes[done]!;
        done = position.doc;
      }
    } else {
      for (let d = done; d < n; d++) rows[d] = response.outcomes[d]!;
      done = n;
    }
  };

  while (done < n) {
    const result = await worker.call(request(plan, loaded ? undefined : docs, position.doc, position.fn, mode), limits.callTimeoutMs);
    // The guest takes the documents before running anything; unless the isolate died, it still has them.
    loaded = !worker.disposed;
    if (result.ok) {
      stalls = 0;
      await accept(result.response);
      continue;
    }

    recoveries++;
    const inspection = await worker.inspect();
    if (inspection?.finished && result.failure.kind === 'guest-error') {
      // runBatch had returned, then a promise rejected without a handler (e.g. by `import()`) failed the call.
      // That harms nobody: keep the results. (Runaway promise jobs show up as a timeout instead, and are
      // pinned on their function one call at a time below.)
      stalls = 0;
      await accept(inspection.finished);
      continue;
    }
    if (inspection?.intact === false && mode !== 'single') {
      // Someone changed RegExp during this call, and that may be what broke it (our code and cheerio use
      // regular expressions). Decide nothing: redo the unfinished documents, checking after every call.
      mode = ++stalls > MAX_STALLS ? 'single' : 'paranoid';
      await restart();
      continue;
    }
    const recovery = recover(result.failure, mode, position, limits);
    const decided = recovery.decide;
    if (decided && decided.kind !== 'threw') {
      const key = `${decided.doc}:${decided.fn}`;
      if (!plan.suspects.has(key)) {
        // First strike: a wall-clock limit can be hit by a busy machine, and a dead isolate may have been
        // poisoned by an earlier tamperer. Try once more (after a death, checking after every call).
        plan.suspects.add(key);
        delete recovery.decide;
        if (decided.kind === 'memory' && mode === 'normal') recovery.mode = 'paranoid';
      }
    }
    stalls = recovery.decide || recovery.unparseable !== undefined ? 0 : stalls + 1;
    const stalled: boolean = stalls > MAX_STALLS && mode !== 'single';
    mode = stalled ? 'single' : recovery.mode;
    if (recovery.decide) {
      const { doc, fn, kind, message } = recovery.decide;
      force(plan, doc, fn, err(kind, message));
      if (kind === 'memory') {
        control.disable(fn);
        stopFrom(fn, doc);
      } else if (kind === 'timeout' && control.recordTimeout(fn)) {
        stopFrom(fn, doc);
      }
    }
    if (recovery.unparseable !== undefined) plan.unparseable.push(recovery.unparseable);
    if (worker.disposed) await restart();
    else position = stalled ? { doc: done, fn: 0 } : (recovery.resumeAt ?? { doc: done, fn: 0 });
  }
  return { outcomes: rows, parseMs, parses, recoveries };
}

function nextCall(p: Position, fnCount: number): Position {
  return p.fn + 1 < fnCount ? { doc: p.doc, fn: p.fn + 1 } : { doc: p.doc + 1, fn: 0 };
}

function recover(failure: CallFailure, mode: Mode, position: Position, limits: BatchLimits): Recovery {
  const p = failure.progress;
  if (mode === 'single') {
    // Exactly one call was running, so it is the culprit whatever the marker says.
    const { doc, fn } = position;
    if (failure.kind === 'died' && p.phase === 'parsing') return { unparseable: doc, resumeAt: position, mode };
    const kind = failure.kind === 'timeout' ? 'timeout' : failure.kind === 'died' ? 'memory' : 'threw';
    const message = failure.kind === 'timeout' ? `exceeded ${limits.timeoutMs} ms` : failure.message;
    return { decide: { doc, fn, kind, message }, resumeAt: position, mode };
  }
  const at: Position = { doc: p.doc, fn: p.fn };
  if (p.phase === 'parsing') {
    // A parse that used most of a call will not fit in the next one either.
    const hopeless = failure.kind === 'died' || p.parseElapsedMs >= limits.callTimeoutMs / 2;
    return hopeless ? { unparseable: p.doc, resumeAt: at, mode } : { resumeAt: at, mode };
  }
  if (p.phase === 'in-function' && failure.kind === 'died') {
    return { decide: { doc: p.doc, fn: p.fn, kind: 'memory', message: failure.message }, mode };
  }
  if (p.phase === 'in-function' && failure.kind === 'timeout') {
    if (p.callElapsedMs >= limits.timeoutMs) {
      return { decide: { doc: p.doc, fn: p.fn, kind: 'timeout', message: `exceeded ${limits.timeoutMs} ms` }, resumeAt: at, mode };
    }
    // The call's budget ran out while a function that had barely started was running: give it a fresh call.
    return { resumeAt: at, mode };
  }
  // Nothing names a culprit (e.g. promise jobs that run away after the batch returned): go one call at a time.
  return { mode: 'single' };
}
