/**
 * Sandboxed extractor engine: runs generated `function extract(doc, $)` sources over documents
 * inside isolated-vm isolates (nothing of Node inside), with time, memory and output limits.
 */
export { createSandbox } from './sandbox.ts';
export { checkSource, disposeChecker } from './check.ts';
export type { CheckResult } from './check.ts';
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
