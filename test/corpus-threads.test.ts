import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layoutSignature, openCorpus, type CorpusDocument } from '../src/corpus/index.ts';
import { startViewThreads } from '../src/corpus/view-threads.ts';
import { applyProgram } from '../src/pipeline/apply-program.ts';
import { parseProgram, type ResultRow } from '../src/run/index.ts';

const folder = mkdtempSync(path.join(tmpdir(), 'evaporate-threads-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

for (let i = 0; i < 30; i++) {
  writeFileSync(path.join(folder, `page-${String(i).padStart(2, '0')}.html`), `<html><body><h1>Page ${i}</h1><p class="price">$${i}.00</p></body></html>`);
}
writeFileSync(path.join(folder, 'notes.txt'), 'Publisher:   Plain Press\r\nDate: 2001\r\n');
writeFileSync(path.join(folder, 'empty.txt'), '');
writeFileSync(path.join(folder, 'image.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01]));

const summary = (docs: CorpusDocument[]) => docs.map((doc) => `${doc.id}:${doc.format}:${doc.view}`);

async function collect(threads: number, layouts = false) {
  const corpus = await openCorpus(folder);
  const docs: CorpusDocument[] = [];
  for await (const doc of corpus.views(undefined, { threads, layouts })) docs.push(doc);
  return { docs, skipped: corpus.skipped.map((skip) => `${skip.id}:${skip.reason}`).sort() };
}

describe('views on worker threads', () => {
  it('gives the same views, in the same order, with the same skips, as one thread', async () => {
    const one = await collect(1);
    const threaded = await collect(2);
    expect(one.docs.length).toBe(31);
    expect(summary(threaded.docs)).toEqual(summary(one.docs));
    expect(threaded.skipped).toEqual(one.skipped);
    expect(one.skipped).toEqual(['empty.txt:empty', 'image.bin:binary']);
  });

  it('computes layout signatures on the threads, equal to the main thread\'s', async () => {
    const { docs } = await collect(2, true);
    for (const doc of docs) expect([...(doc.layout ?? [])]).toEqual([...layoutSignature(doc)]);
  });

  it('records a document that kills its thread as a skip and goes on with the rest', async () => {
    const corpus = await openCorpus(folder);
    // 200,000 elements: within the tag limit, far over a 16 MB heap.
    const huge = path.join(folder, 'huge.html');
    writeFileSync(huge, `<html><body>${'<div><b>x</b></div>'.repeat(100_000)}</body></html>`);
    const [first, second] = corpus.documents.filter((ref) => ref.id.startsWith('page-'));
    const threads = startViewThreads({ threads: 1, maxBytes: 50_000_000, heapMb: 16 });
    try {
      const hugeRef = { id: 'huge.html', path: huge, format: 'html' as const, bytes: 0 };
      const [before, crashed, after] = await Promise.all([
        threads.load(first!),
        threads.load(hugeRef),
        threads.load(second!),
      ]);
      expect(before).toMatchObject({ id: first!.id, view: expect.any(String) });
      expect(crashed).toMatchObject({ id: 'huge.html', reason: 'unparseable', detail: expect.stringContaining('the view builder stopped') });
      expect(after).toMatchObject({ id: second!.id, view: expect.any(String) });
    } finally {
      await threads.close();
      rmSync(huge);
    }
  });

  it('skips a document that takes longer than the time limit, and goes on with the rest', async () => {
    const corpus = await openCorpus(folder);
    const refs = corpus.documents.filter((ref) => ref.id.startsWith('page-'));
    const threads = startViewThreads({ threads: 1, maxBytes: 1_000_000, timeoutMs: 0 });
    try {
      // No document is read in 0 ms, so every one is stopped; each still gets an answer, in turn.
      const entries = await Promise.all(refs.slice(0, 3).map((ref) => threads.load(ref)));
      for (const entry of entries) expect(entry).toMatchObject({ reason: 'unparseable', detail: 'the view builder stopped on this document: it took over 0 ms' });
    } finally {
      await threads.close();
    }
    const patient = startViewThreads({ threads: 1, maxBytes: 1_000_000 });
    try {
      expect(await patient.load(refs[0]!)).toMatchObject({ id: refs[0]!.id, view: expect.any(String) });
    } finally {
      await patient.close();
    }
  });

  it('leaves the table of an apply unchanged', async () => {
    const program = parseProgram({
      version: 1,
      method: 'mv',
      now: 0,
      attributes: [
        { name: 'heading', functions: [{ id: 'h1', source: 'function extract(doc, $) { return $("h1").text() || null }' }, { id: 'lines', source: 'function extract(doc, $, lib) { return lib.textLines(doc)[0] || null }' }] },
        { name: 'price', functions: [{ id: 'price', source: 'function extract(doc) { var m = /\\$[\\d.]+/.exec(doc); return m ? m[0] : null }' }] },
      ],
    });
    const tables: ResultRow[][] = [];
    for (const viewThreads of [1, 2]) {
      const rows: ResultRow[] = [];
      await applyProgram(program, await openCorpus(folder), (row) => void rows.push(row), { viewThreads, isolates: 1 });
      tables.push(rows);
    }
    expect(tables[0]!.length).toBe(31);
    expect(tables[1]).toEqual(tables[0]);
  });
});
