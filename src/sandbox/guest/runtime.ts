/**
 * Entry point of the code that runs inside each isolate (bundled with cheerio by ../bundle.ts).
 * The host calls `setup` once, then `runBatch` per batch of documents. Every user call is
 * bracketed by writes to the shared progress marker so the host can name the function that was
 * running when the isolate was stopped (time limit) or killed (memory limit).
 */
import { Phase, PROGRESS_INT32_SLOTS, PROGRESS_TIMES_BYTE, ProgressSlot, ProgressTime } from '../protocol.ts';
import type { BatchRequest, BatchResponse, GuestConfig, GuestInspection, WireOutcome } from '../protocol.ts';
import { harden } from './harden.ts';
import type { Hardened } from './harden.ts';
import { normalizeOutput } from './normalize.ts';
import type { Caps } from './normalize.ts';
import { cheerioRoots, createQuery, isDomObject } from './query.ts';

interface State {
  hardened: Hardened;
  factories: (() => unknown)[];
  marker: Int32Array;
  times: Float64Array;
  timeoutMs: number;
  caps: Caps;
  docs: { view: string; html: boolean }[];
  outcomes: WireOutcome[][];
  /** Functions seen editing the parsed page; the tree is checked right after each of their calls. */
  editors: Set<number>;
}

let state: State | undefined;

function errorMessage(e: unknown): string {
  try {
    if (e instanceof Error) {
      const m: unknown = e.message;
      const name: unknown = e.name;
      return `${typeof name === 'string' ? name : 'Error'}: ${typeof m === 'string' ? m : ''}`.slice(0, 300);
    }
    if (typeof e === 'object' && e !== null) return 'threw a non-Error object';
    if (typeof e === 'function') return 'threw a function';
    return `threw ${String(e)}`.slice(0, 300);
  } catch {
    return 'threw an object that cannot be described';
  }
}

export function setup(config: GuestConfig): void {
  const hardened = harden(config.fixedNow, cheerioRoots(), isDomObject);
  state = {
    hardened,
    factories: config.sources.map((body) => hardened.compile(body)),
    marker: new Int32Array(config.progress, 0, PROGRESS_INT32_SLOTS),
    times: new Float64Array(config.progress, PROGRESS_TIMES_BYTE, 2),
    timeoutMs: config.timeoutMs,
    caps: { maxStringLength: config.maxStringLength, maxArrayItems: config.maxArrayItems },
    docs: [],
    outcomes: [],
    editors: new Set(),
  };
}

function callOnce(s: State, fn: number, doc: { view: string }, $: unknown, parseMs: () => number): { outcome: WireOutcome; elapsed: number } {
  const { hardened, marker, times } = s;
  hardened.resetForCall();
  const before = parseMs();
  const started = hardened.realNow();
  times[ProgressTime.callStarted] = started;
  marker[ProgressSlot.fn] = fn;
  marker[ProgressSlot.phase] = Phase.inFunction;
  let outcome: WireOutcome;
  try {
    const extract = s.factories[fn]!();
    if (typeof extract !== 'function') {
      outcome = { error: 'threw', message: 'the source does not define a function named extract' };
    } else {
      outcome = normalizeOutput((extract as (d: string, q: unknown) => unknown)(doc.view, $), s.caps);
    }
  } catch (e) {
    outcome = { error: 'threw', message: errorMessage(e) };
  }
  const elapsed = hardened.realNow() - started - (parseMs() - before);
  marker[ProgressSlot.phase] = Phase.idle;
  return { outcome, elapsed };
}

/**
 * One function on one document. A call that finished over the limit runs once more before it counts
 * as a timeout: the limit is wall-clock, and a GC pause or a busy machine can stretch a single call.
 */
function callOne(s: State, fn: number, doc: { view: string }, $: unknown, parseMs: () => number): WireOutcome {
  const first = callOnce(s, fn, doc, $, parseMs);
  if (first.elapsed <= s.timeoutMs) return first.outcome;
  const second = callOnce(s, fn, doc, $, parseMs);
  if (second.elapsed <= s.timeoutMs) return second.outcome;
  return { error: 'timeout', message: `took ${Math.round(second.elapsed)} ms (limit ${s.timeoutMs} ms)` };
}

/** The response of the last runBatch that ran to its end, kept for {@link inspect}. */
let finished: BatchResponse | null = null;

/**
 * Asked by the host after a call failed: are RegExp and RegExp.prototype intact, and did runBatch
 * finish before the failure? (A promise rejected without a handler, e.g. by `import()`, or promise
 * jobs that run away, fail the call after runBatch has returned.)
 */
export function inspect(): GuestInspection {
  if (!state) throw new Error('inspect called before setup');
  return { intact: state.hardened.regExpIntact(), finished };
}

export function runBatch(req: BatchRequest): BatchResponse {
  const s = state;
  if (!s) throw new Error('runBatch called before setup');
  finished = null;
  if (req.docs) {
    s.docs = req.docs;
    s.outcomes = [];
  }
  const { hardened, marker, times } = s;
  const forced = new Map<number, WireOutcome>();
  const nFns = s.factories.length;
  for (const [d, f, o] of req.forced) forced.set(d * nFns + f, o);
  const unparseable = new Set(req.unparseable);
  let parseMs = 0;
  let parses = 0;
  let parseStart = 0;
  const hooks = {
    beforeParse: () => {
      marker[ProgressSlot.phase] = Phase.parsing;
      parseStart = hardened.realNow();
      times[ProgressTime.parseStarted] = parseStart;
    },
    afterParse: () => {
      const took = hardened.realNow() - parseStart;
      parseMs += took;
      parses++;
      // Parsing is not the function's work: move its start forward so the host's view of its elapsed time agrees.
      times[ProgressTime.callStarted] = times[ProgressTime.callStarted]! + took;
      marker[ProgressSlot.phase] = Phase.inFunction;
    },
  };
  const totalParseMs = () => parseMs;

  for (let d = req.startDoc; d < s.docs.length; d++) {
    const doc = s.docs[d]!;
    const row = (s.outcomes[d] ??= []);
    marker[ProgressSlot.doc] = d;
    hardened.resetForDocument();
    const query = createQuery(doc.view, doc.html, !unparseable.has(d), hooks);
    /** Runs functions [from, end) on this document; returns a response if the batch must stop here. */
    const pass = (from: number, checkEveryCall: boolean): BatchResponse | undefined => {
      for (let f = from; f < nFns; f++) {
        const decided = forced.get(d * nFns + f);
        if (decided !== undefined) row[f] = decided;
        else if (d >= req.cutoff[f]!) row[f] = { error: 'disabled' };
        else {
          query.touched = false;
          row[f] = callOne(s, f, doc, query.$, totalParseMs);
          if (query.touched && (checkEveryCall || s.editors.has(f)) && !query.pristine()) {
            // It edited the parsed page: later functions get a fresh parse.
            s.editors.add(f);
            query.reset();
          }
        }
        if ((req.paranoid || req.single) && !hardened.regExpIntact()) {
          return { outcomes: s.outcomes.slice(0, d), tampered: { doc: d, fn: f }, parseMs, parses };
        }
        if (req.single) return { outcomes: s.outcomes, parseMs, parses };
      }
      return undefined;
    };
    let stop = pass(d === req.startDoc ? req.startFn : 0, false);
    if (!stop && query.parsed && !query.pristine()) {
      // A function not yet known to edit the page did: the ones after it saw the edit. Redo the page,
      // checking after every call that used $ (and remember who edits, to check right after them next time).
      query.reset();
      stop = pass(0, true);
    }
    if (stop) return (finished = stop);
    if (!hardened.regExpIntact()) return (finished = { outcomes: s.outcomes.slice(0, d), tampered: { doc: d, fn: null }, parseMs, parses });
  }
  return (finished = { outcomes: s.outcomes, parseMs, parses });
}
