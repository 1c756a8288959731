/** Public contract of the sandboxed extractor engine. */
import { z } from 'zod';
import type { ErrorKind } from './protocol.ts';
import type { DocumentFormat } from '../corpus/types.ts';

export type { ErrorKind };

/** An extractor: JavaScript that defines `function extract(doc, $)` (doc: the view string; $: cheerio-style query). */
export interface ExtractorSource {
  id: string;
  source: string;
}

/**
 * What one function produced on one document.
 * - value: one or more non-empty strings, each trimmed, inner whitespace collapsed to one space, capped.
 * - abstain: it returned null, undefined, '' or an array without values.
 * - error: threw; timeout (ran past the time limit); bad-output (returned something that is not a string,
 *   number or array of them); memory (its isolate hit the memory limit while it ran); disabled (it was
 *   switched off earlier in the run); tampered (it changed RegExp/RegExp.prototype, which other functions share);
 *   crashed (the document took the sandbox's process down twice, the second time alone).
 */
export type Outcome =
  | { kind: 'value'; value: string[] }
  | { kind: 'abstain' }
  | { kind: 'error'; error: ErrorKind; message?: string };

export interface SandboxOptions {
  /** Isolates in the pool, each running on its own thread. Default: os.availableParallelism(). */
  isolates?: number;
  /** Time limit per function per document, wall clock. Default 100. */
  timeoutMs?: number;
  /** Heap (old generation) limit per isolate; an isolate that exceeds it is replaced and the culprit disabled. Default 128. */
  memoryLimitMb?: number;
  /**
   * Largest young-generation semi-space per isolate, on top of memoryLimitMb (V8 keeps two, grown on
   * demand). Default 16, which cuts garbage-collection time sharply for `$` functions;
   * 0 = isolated-vm's default (2 MB of young generation in all at 128 MB).
   */
  semiSpaceMb?: number;
  /**
   * Timeouts after which a function is disabled for the rest of the sandbox's life. Default 3. A memory
   * failure or tampering disables at once; throwing or bad output never does (model-written code often
   * throws when a page lacks the value). A call counts as a timeout only if it overruns twice in a row.
   */
  maxFailures?: number;
  /** Cap per returned string, after whitespace clean-up. Default 2000. */
  maxStringLength?: number;
  /** Cap on values kept from one returned array. Default 50. */
  maxArrayItems?: number;
  /** What `Date.now()` / `new Date()` return inside the sandbox (ms since epoch). Default: when the sandbox was created. Pin it for reproducible runs. */
  now?: number;
}

export interface SandboxDocument {
  id: string;
  view: string;
  format: DocumentFormat;
}

export interface DocumentOutcomes {
  docId: string;
  /** One entry per compiled function (rejected sources have none), keyed by function id. */
  outcomes: Record<string, Outcome>;
}

export const sandboxCountersSchema = z.object({
  documents: z.number(),
  /** Function calls made (outcomes other than `disabled`). */
  calls: z.number(),
  values: z.number(),
  abstains: z.number(),
  /** Per error kind, including `disabled`. */
  errors: z.record(z.string(), z.number()),
  /** Ids of functions switched off, in the order it happened. */
  disabled: z.array(z.string()),
  isolateRestarts: z.number(),
  /** Documents whose HTML was parsed for `$`, and the time that took (ms, summed over isolates). */
  parses: z.number(),
  parseMs: z.number(),
  /** CPU time spent inside the isolates (ms, summed over isolates, including replaced ones). */
  isolateCpuMs: z.number(),
});
export type SandboxCounters = z.infer<typeof sandboxCountersSchema>;

export interface Sandbox {
  /** Sources that did not compile, with the reason. They get no outcomes. */
  readonly rejected: { id: string; error: string }[];
  /** Ids of the functions that run, in order. */
  readonly functionIds: string[];
  /**
   * Streams documents through the isolate pool. Yields one result per document, in input order.
   * Documents are read only as fast as results are consumed; at most a few batches per isolate are held.
   * One run at a time per sandbox.
   */
  run(docs: AsyncIterable<SandboxDocument> | Iterable<SandboxDocument>): AsyncIterable<DocumentOutcomes>;
  /** What the sandbox did so far; a run stopped early counts the documents it had already started. */
  counters(): SandboxCounters;
  close(): Promise<void>;
}
