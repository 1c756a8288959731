/**
 * The unsandboxed reference the benchmarks compare the sandbox with: the same sources run with `new Function`
 * in this Node thread, over the same views, with a lazily parsed cheerio `$` and the host's sandbox library.
 * It is what an engine without isolation would do on one core.
 */
import { load } from 'cheerio/slim';
import { hostLibrary } from '../src/sandbox/index.ts';
import type { ExtractorSource, Outcome, SandboxDocument } from '../src/sandbox/index.ts';
import { functionBody } from '../src/sandbox/check.ts';
import { asDocument } from '../src/sandbox/guest/document.ts';
import { normalizeOutput } from '../src/sandbox/guest/normalize.ts';
import type { Caps } from '../src/sandbox/guest/normalize.ts';
import type { WireOutcome } from '../src/sandbox/protocol.ts';

export interface ReferenceRun {
  /** Per document, in input order: each function's outcome as a comparable key (see {@link outcomeKey}). */
  rows: Map<string, string[]>;
  parseMs: number;
  parses: number;
}

export function outcomeKey(o: Outcome | WireOutcome): string {
  if (o === null) return '-';
  if (Array.isArray(o)) return o.join('\u0001');
  if ('kind' in o) return o.kind === 'value' ? o.value.join('\u0001') : o.kind === 'abstain' ? '-' : `!${o.error}`;
  return `!${o.error}`;
}

/** FNV-1a over the outcome keys, in document then function order: equal digests, equal outputs. */
export function digestOf(rows: Map<string, string[]>, docIds: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const id of docIds) {
    for (const key of rows.get(id) ?? ['<missing>']) {
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ 0x1f, 0x01000193);
    }
  }
  return (h >>> 0).toString(16);
}

/** Compile once; the returned function runs every source on each document it is given. */
export function referenceRunner(fns: readonly ExtractorSource[], caps: Caps): (docs: Iterable<SandboxDocument>, into: ReferenceRun) => void {
  const compiled = fns.map((f) => new Function(functionBody(f.source))() as (doc: string, $: unknown, lib: unknown) => unknown);
  const lib = hostLibrary();
  return (docs, into) => {
    for (const doc of docs) {
      let loaded: ReturnType<typeof load> | undefined;
      const get = () => {
        if (!loaded) {
          const t = performance.now();
          loaded = load(asDocument(doc.view));
          into.parseMs += performance.now() - t;
          into.parses++;
        }
        return loaded;
      };
      const $ = Object.assign((...a: unknown[]) => (get() as unknown as (...x: unknown[]) => unknown)(...a), {
        root: () => get().root(),
        text: () => get().text(),
      });
      const row: string[] = [];
      for (const fn of compiled) {
        let out: WireOutcome;
        try {
          out = normalizeOutput(fn(doc.view, $, lib), caps);
        } catch {
          out = { error: 'threw' };
        }
        row.push(outcomeKey(out));
      }
      into.rows.set(doc.id, row);
    }
  };
}
