/**
 * The 100 realistic book extractors over real SWDE views: the sandbox must give exactly what the same
 * sources give when run unsandboxed in plain Node (with the real cheerio), in one isolate and in a pool.
 */
import { load } from 'cheerio/slim';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../src/corpus/index.ts';
import { createSandbox } from '../src/sandbox/index.ts';
import type { Outcome, SandboxDocument } from '../src/sandbox/index.ts';
import { functionBody } from '../src/sandbox/check.ts';
import { normalizeOutput } from '../src/sandbox/guest/normalize.ts';
import { BOOK_EXTRACTORS } from './fixtures/sandbox/book-extractors.ts';
import { asDocument } from '../src/sandbox/guest/document.ts';

const root = path.resolve(import.meta.dirname, '../../shared/datasets/swde/book/book-booksamillion(2000)');
const present = existsSync(root);
if (!present) console.warn(`sandbox-swde: skipped, ${root} is absent (see ../shared/datasets/README.md)`);

/** Unsandboxed: what the functions return in this Node process, in the sandbox's outcome vocabulary. */
function reference(doc: SandboxDocument): Record<string, Outcome> {
  let loaded: ReturnType<typeof load> | undefined;
  const get = () => (loaded ??= load(asDocument(doc.view)));
  const $ = Object.assign((...a: unknown[]) => (get() as unknown as (...x: unknown[]) => unknown)(...a), { root: () => get().root() });
  const out: Record<string, Outcome> = {};
  for (const fn of BOOK_EXTRACTORS) {
    try {
      const wire = normalizeOutput((new Function(functionBody(fn.source))() as (d: string, q: unknown) => unknown)(doc.view, $), {
        maxStringLength: 2000,
        maxArrayItems: 50,
      });
      out[fn.id] = wire === null ? { kind: 'abstain' } : Array.isArray(wire) ? { kind: 'value', value: wire } : { kind: 'error', error: wire.error };
    } catch {
      out[fn.id] = { kind: 'error', error: 'threw' };
    }
  }
  return out;
}

/** Error messages differ between isolates and Node (stack formats); compare kinds. */
const comparable = (outcomes: Record<string, Outcome>) =>
  Object.fromEntries(Object.entries(outcomes).map(([id, o]) => [id, o.kind === 'error' ? { kind: 'error', error: o.error } : o]));

describe.skipIf(!present)('sandbox on SWDE booksamillion views', () => {
  it('gives the same outputs as the same functions run unsandboxed', { timeout: 120_000 }, async () => {
    const corpus = await openCorpus(root);
    const docs: SandboxDocument[] = [];
    for await (const d of corpus.views(corpus.documents.slice(0, 40))) docs.push({ id: d.id, view: d.view, format: d.format });
    const expected = docs.map((d) => ({ docId: d.id, outcomes: reference(d) }));
    // Most functions find something on these pages, so agreement is not trivial.
    const values = expected.flatMap((e) => Object.values(e.outcomes)).filter((o) => o.kind === 'value').length;
    expect(values).toBeGreaterThan(docs.length * BOOK_EXTRACTORS.length * 0.5);

    for (const isolates of [1, 2]) {
      const sandbox = await createSandbox(BOOK_EXTRACTORS, { isolates });
      const got = [];
      for await (const r of sandbox.run(docs)) got.push({ docId: r.docId, outcomes: comparable(r.outcomes) });
      const counters = sandbox.counters();
      await sandbox.close();
      expect(sandbox.rejected).toEqual([]);
      expect(got).toEqual(expected);
      expect(counters.parses).toBe(docs.length);
    }
  });
});
