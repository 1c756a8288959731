/**
 * The wire contract between the host (Node) and the guest runtime inside each isolate.
 * Both sides import this file; the guest gets it through the esbuild bundle.
 * Everything here crosses the boundary by structured copy, so it holds only plain data.
 */

/** Error kinds a function call can end in. `tampered`: it changed shared built-ins (RegExp) that other functions rely on. */
export type ErrorKind = 'threw' | 'timeout' | 'bad-output' | 'memory' | 'disabled' | 'tampered' | 'crashed';

/** One call's result as the guest reports it: values, `null` for an abstention, or an error. */
export type WireOutcome = string[] | null | { error: ErrorKind; message?: string };

export interface GuestConfig {
  /** Function bodies, already syntax-checked: `source + return extract`. Index = function index. */
  sources: string[];
  /** The sandbox library's factory source (see ../library.ts), compiled after the isolate is locked down. */
  library: string;
  /** Progress marker shared with the host; see {@link ProgressSlot}. */
  progress: SharedArrayBuffer;
  /** What `Date.now()` and `new Date()` return inside the sandbox, so outputs do not depend on when they ran. */
  fixedNow: number;
  timeoutMs: number;
  maxStringLength: number;
  maxArrayItems: number;
}

/** One call into the guest: start (or resume) a batch of documents. */
export interface BatchRequest {
  /** Documents of a new batch; omitted when resuming the batch already loaded. */
  docs?: { view: string; html: boolean }[];
  /** Where to start (or resume): document index in the batch, then function index. */
  startDoc: number;
  startFn: number;
  /**
   * Per function: the batch document index from which it no longer runs (its outcome is `disabled`).
   * 0 = disabled for the whole batch; a number >= the batch size = runs on every document.
   */
  cutoff: number[];
  /** Outcomes already decided by the host (after a timeout or an isolate death): [doc, fn, outcome]. */
  forced: [number, number, WireOutcome][];
  /** Documents whose `$` must not parse (parsing alone exceeded the limits). */
  unparseable: number[];
  /** Check shared built-ins after every call instead of after every document (used to find a tamperer). */
  paranoid: boolean;
  /** Run only (startDoc, startFn) and return: used to pin a failure on one call when the marker cannot. */
  single: boolean;
}

export interface BatchResponse {
  /** Outcomes for documents [0, outcomes.length); complete unless `tampered` is set. */
  outcomes: WireOutcome[][];
  /** Set when shared built-ins were found changed: the document (and in paranoid mode, the function) during which it happened. */
  tampered?: { doc: number; fn: number | null };
  /** Milliseconds spent parsing HTML for `$` in this call, and how many documents were parsed. */
  parseMs: number;
  parses: number;
}

export interface GuestInspection {
  intact: boolean;
  finished: BatchResponse | null;
}

/**
 * Layout of the progress marker, a SharedArrayBuffer the host keeps even if the isolate dies:
 * Int32 slots {@link ProgressSlot}, then Float64 times (guest clock = host clock, ms) {@link ProgressTime}
 * starting at byte {@link PROGRESS_TIMES_BYTE}.
 */
export const ProgressSlot = { phase: 0, doc: 1, fn: 2 } as const;
export const ProgressTime = { callStarted: 0, parseStarted: 1 } as const;
export const Phase = { idle: 0, inFunction: 1, parsing: 2 } as const;
export const PROGRESS_INT32_SLOTS = 4;
export const PROGRESS_TIMES_BYTE = 16;
export const PROGRESS_BYTES = 32;
