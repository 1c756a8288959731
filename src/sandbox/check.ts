/**
 * Syntax check of extractor sources without running them: the source is compiled (never called)
 * by the Function constructor of a small isolate that holds nothing else.
 */
import ivm from 'isolated-vm';
import { assertIsolatesSupported } from './environment.ts';
import type { ExtractorSource } from './types.ts';

/** The function body every source is compiled as: its declarations, then hand back `extract`. */
export function functionBody(source: string): string {
  return `${source}\n;return typeof extract === "function" ? extract : undefined;`;
}

const MENTIONS_EXTRACT = /\bextract\b/;
/**
 * Longest source accepted. Real extractors are a few kilobytes; V8 refuses to compile strings of several MB in a
 * small isolate with a misleading "Code generation from strings disallowed", so the limit is said first.
 */
export const MAX_SOURCE_CHARS = 1_000_000;
const CHECK_TIMEOUT_MS = 2_000;
let checker: { isolate: ivm.Isolate; context: ivm.Context } | undefined;

function checkerContext(): ivm.Context {
  if (!checker || checker.isolate.isDisposed) {
    assertIsolatesSupported();
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    checker = { isolate, context: isolate.createContextSync() };
  }
  return checker.context;
}

export type CheckResult = { ok: true } | { ok: false; error: string };

export function checkSource(fn: ExtractorSource): CheckResult {
  if (typeof fn.source !== 'string' || fn.source.trim() === '') return { ok: false, error: 'empty source' };
  if (fn.source.length > MAX_SOURCE_CHARS) {
    return { ok: false, error: `the source has ${fn.source.length} characters, over the ${MAX_SOURCE_CHARS} a function may have` };
  }
  if (!MENTIONS_EXTRACT.test(fn.source)) return { ok: false, error: 'the source defines no function named extract(doc, $)' };
  const context = checkerContext();
  try {
    const error = context.evalClosureSync(
      `try { new Function($0); return null; } catch (e) { return String(e && e.name) + ': ' + String(e && e.message); }`,
      [functionBody(fn.source)],
      { timeout: CHECK_TIMEOUT_MS, arguments: { copy: true }, result: { copy: true } },
    ) as string | null;
    return error === null ? { ok: true } : { ok: false, error };
  } catch (e) {
    return { ok: false, error: `could not be compiled: ${(e as Error).message}` };
  }
}

/** Releases the checker isolate (it is recreated on the next check). */
export function disposeChecker(): void {
  if (checker && !checker.isolate.isDisposed) checker.isolate.dispose();
  checker = undefined;
}
