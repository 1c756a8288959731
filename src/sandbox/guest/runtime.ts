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
import { buildLibrary } from './library.ts';
import type { Library } from './library.ts';
import { normalizeOutput } from './normalize.ts';
import type { Caps } from './normalize.ts';
import { cheerioRoots, createQuery, guardQueries, isDomObject } from './query.ts';
import type { ParseHooks, Query } from './query.ts';

interface State {
  hardened: Hardened;
  factories: (() => unknown)[];
  /** The third argument of every extractor. */
  library: Library;
  marker: Int32Array;
  times: Float64Array;
  timeoutMs: number;
  caps: Caps;
  docs: { view: string; html: boolean }[];
  outcomes: WireOutcome[][];
  /** The page being worked on, kept so a call that resumes it (after a time limit) can check it first. */
  current: { doc: number; query: Query } | undefined;
  /** Parsing done during the current runBatch call. */
  parse: { ms: number; count: number; started: number };
  hooks: ParseHooks;
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
  guardQueries(hardened.regExpMethodsIntact);
  const marker = new Int32Array(config.progress, 0, PROGRESS_INT32_SLOTS);
  const times = new Float64Array(config.progress, PROGRESS_TIMES_BYTE, 2);
  const parse = { ms: 0, count: 0, started: 0 };
  state = {
    hardened,
    factories: config.sources.map((body) => hardened.compile(body)),
    library: buildLibrary(hardened.compile(config.library)(), hardened.regExpMethodsIntact),
    marker,
    times,
    timeoutMs: config.timeoutMs,
    caps: { maxStringLength: config.maxStringLength, maxArrayItems: config.maxArrayItems },
    docs: [],
    outcomes: [],
    current: undefined,
    parse,
    hooks: {
      beforeParse: () => {
        marker[ProgressSlot.phase] = Phase.parsing;
        parse.started = hardened.realNow();
        times[ProgressTime.parseStarted] = parse.started;
      },
      afterParse: () => {
        const took = hardened.realNow() - parse.started;
        parse.ms += took;
        parse.count++;
        // Parsing is not the function's work: move its start forward so the host's view of its elapsed time agrees.
        times[ProgressTime.callStarted] = times[ProgressTime.callStarted]! + took;
        marker[ProgressSlot.phase] = Phase.inFunction;
      },
    },
  };
}

function callOnce(s: State, fn: number, doc: { view: string }, $: unknown): { outcome: WireOutcome; elapsed: number } {
  const { hardened, marker, times } = s;
  hardened.resetForCall();
  const before = s.parse.ms;
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
      outcome = normalizeOutput((extract as (d: string, q: unknown, lib: Library) => unknown)(doc.view, $, s.library), s.caps);
    }
  } catch (e) {
    outcome = { error: 'threw', message: errorMessage(e) };
  }
  const elapsed = hardened.realNow() - started - (s.parse.ms - before);
  marker[ProgressSlot.phase] = Phase.idle;
  return { outcome, elapsed };
}

/**
 * One function on one document. A call that finished over the limit runs once more before it counts
 * as a timeout: the limit is wall-clock, and a GC pause or a busy machine can stretch a single call.
 */
function callOne(s: State, fn: number, doc: { view: string }, $: unknown): WireOutcome {
  const first = callOnce(s, fn, doc, $);
  if (first.elapsed <= s.timeoutMs) return first.outcome;
  const second = callOnce(s, fn, doc, $);
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
    s.current = undefined;
  }
  const { hardened, marker } = s;
  s.parse.ms = 0;
  s.parse.count = 0;
  const forced = new Map<number, WireOutcome>();
  const nFns = s.factories.length;
  for (const [d, f, o] of req.forced) forced.set(d * nFns + f, o);
  const unparseable = new Set(req.unparseable);
  const respond = (outcomes: WireOutcome[][], tampered?: BatchResponse['tampered']): BatchResponse =>
    (finished = { outcomes, ...(tampered ? { tampered } : {}), parseMs: s.parse.ms, parses: s.parse.count });

  for (let d = req.startDoc; d < s.docs.length; d++) {
    const doc = s.docs[d]!;
    const row = (s.outcomes[d] ??= []);
    marker[ProgressSlot.doc] = d;
    hardened.resetForDocument();
    if (s.current?.doc !== d) s.current = { doc: d, query: createQuery(doc.view, doc.html, s.hooks) };
    const query = s.current.query;
    query.allowed = !unparseable.has(d);

    /** Runs functions [from, end) on this document; returns a response if the batch must stop here. */
    const pass = (from: number): BatchResponse | undefined => {
      for (let f = from; f < nFns; f++) {
        const decided = forced.get(d * nFns + f);
        if (decided !== undefined) row[f] = decided;
        else if (d >= req.cutoff[f]!) row[f] = { error: 'disabled' };
        else {
          query.touched = false;
          row[f] = callOne(s, f, doc, query.$);
          // After every call that used $, not once per page: an edit that a later function puts back would leave
          // the page looking untouched by its end, while the functions in between saw it.
          if (query.touched && !query.pristine()) query.reset();
        }
        // After every call, not only every document: a hook that removes itself once it has lied to the next regex
        // user would leave RegExp looking untouched by the end of the page. Per call, the cheap check of the
        // methods regex operations call; in paranoid mode, everything.
        if (!((req.paranoid || req.single) ? hardened.regExpIntact() : hardened.regExpMethodsIntact())) return respond(s.outcomes.slice(0, d), { doc: d, fn: f });
        if (req.single) return respond(s.outcomes);
      }
      return undefined;
    };

    const from = d === req.startDoc ? req.startFn : 0;
    // Resuming a page the stopped call may have left edited (maybe what stopped it): the next call gets a fresh parse.
    if (from > 0 && !query.pristine()) query.reset();
    const stop = pass(from);
    if (stop) return stop;
    if (!hardened.regExpIntact()) return respond(s.outcomes.slice(0, d), { doc: d, fn: null });
  }
  return respond(s.outcomes);
}
