/**
 * Sandboxed extractor engine: runs generated `function extract(doc, $)` sources over documents inside
 * isolated-vm isolates, with nothing of Node inside, one isolate per core.
 *
 * - Containment: built-ins are frozen (RegExp is checked instead, for speed); implicit globals, the clock
 *   and Math.random are per call; a page edited through `$` is re-parsed for the next function; time,
 *   memory and output limits; an isolate killed by its memory limit is replaced and the culprit disabled.
 * - Determinism: the same functions on the same documents give the same outputs, whatever the pool size
 *   or input order (functions that hit the wall-clock time limit excepted).
 * - Streaming: `run` yields results in input order and reads input only as fast as results are consumed.
 * - Isolation from the caller: the isolates run in a child process started with the flags isolated-vm needs, so
 *   the caller's Node needs none, and a crash there costs at most the documents that caused it.
 */
export { createSandbox, killSandboxHosts } from './process-sandbox.ts';
export { addCounters, countersSince } from './counters.ts';
export type {
  DocumentOutcomes,
  ErrorKind,
  ExtractorSource,
  Outcome,
  Sandbox,
  SandboxCounters,
  SandboxDocument,
  SandboxOptions,
} from './types.ts';
export { hostLibrary, LIBRARY_HELPERS, LIBRARY_VERSION } from './library.ts';
export type { Library } from './library.ts';
